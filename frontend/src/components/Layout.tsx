import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router-dom";
import { useApi } from "../api/context";
import { APP_NAME } from "../lib/hooks";
import { AuthButton } from "./AuthButton";

export function Layout() {
  const { pathname } = useLocation();
  const { claims } = useApi();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Move focus to the new page on client-side navigation, as a full page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <NavLink to="/" className="brand" end>
            <span className="brand-mark" aria-hidden="true">
              ◈
            </span>
            {APP_NAME}
          </NavLink>
          <nav aria-label="Main">
            <ul className="nav">
              <li>
                <NavLink to="/" end>
                  Overview
                </NavLink>
              </li>
              <li>
                <NavLink to="/sites">Sites</NavLink>
              </li>
              <li>
                <NavLink to="/me" data-testid="nav-profile">
                  {claims ? `Profile (${claims.sub})` : "Profile"}
                </NavLink>
              </li>
            </ul>
          </nav>
          <AuthButton />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="app-main">
        <Outlet />
      </main>
    </div>
  );
}
