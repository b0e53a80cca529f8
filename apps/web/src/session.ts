/** The logged-in session, kept in localStorage so a reload stays logged in. */
import type { Session } from "./api.ts";

const KEY = "cinematch.session";

export const loadSession = (): Session | null => {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return null;
    const { token, email, expires_at } = parsed as Record<string, unknown>;
    if (typeof token !== "string" || !token || typeof email !== "string") return null;
    if (typeof expires_at === "string" && Date.parse(expires_at) <= Date.now()) return null;
    return { token, email, ...(typeof expires_at === "string" ? { expires_at } : {}) };
  } catch {
    return null;
  }
};

export const saveSession = (session: Session | null): void => {
  try {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode or storage disabled: the session then lasts as long as the page.
  }
};
