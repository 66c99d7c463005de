import { Link } from "react-router-dom";
import { useDocumentTitle } from "../lib/hooks";

export function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <section aria-labelledby="nf-title" className="state state-empty" data-testid="page-not-found">
      <h1 id="nf-title">Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the fleet overview</Link>.
      </p>
    </section>
  );
}
