import type { ReactNode } from "react";
import { ApiError, NetworkError } from "../api/client";
import { SigningUnavailable } from "../lib/signing";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof NetworkError) {
    return { title: "Network error", detail: "Could not reach the API. Check your connection and try again." };
  }
  if (error instanceof ApiError) {
    if (error.status === 401) return { title: "Sign in required", detail: error.message };
    if (error.status === 403) return { title: "Access denied", detail: error.message };
    if (error.status === 404) return { title: "Not found", detail: error.message };
    return { title: `The API answered ${error.status}`, detail: error.message };
  }
  if (error instanceof SigningUnavailable) return { title: "Cannot sign the request", detail: error.message };
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error) };
}

export function ErrorState({
  error,
  title,
  onRetry,
  children,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const described = describeError(error);
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <p className="state-title">{title ?? described.title}</p>
      <p className="state-detail">{described.detail}</p>
      {children}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
