import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * The policy every answer carries: the dashboard and the docs page load only their own files
 * (posters may come from any https host), nothing may frame them, no URL leaks in a Referer, and
 * browsers never second-guess a content type. Inline styles stay allowed: the charts set them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/**
 * The policy for a page of our own with inline `<script>`s (the docs page): those exact scripts,
 * by hash, and nothing else inline.
 */
export const contentSecurityPolicyFor = (html: string): string => {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash("sha256").update(match[1]!).digest("base64")}'`,
  );
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' ${hashes.join(" ")}`);
};

/** How long, and how much, an oversized request is read after its 431 before the socket is dropped. */
const DRAIN_MS = 5_000;
const DRAIN_BYTES = 16 * 1024 * 1024;

const rawAnswer = (status: string, code: string, message: string) => {
  const body = JSON.stringify({ error: code, message });
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return (
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
};

const TOO_LARGE = rawAnswer(
  "431 Request Header Fields Too Large",
  "request_header_fields_too_large",
  "the URL or the headers are too large",
);
const BAD_REQUEST = rawAnswer("400 Bad Request", "bad_request", "the request could not be parsed");

/**
 * Answers requests node:http cannot parse. Its default answers an oversized URL or header block
 * with 431 but closes the socket at once: while the client is still sending, the unread bytes make
 * the kernel reset the connection and the client never reads the 431. Here the answer is written,
 * our side is half-closed, and the rest of the request is read and dropped (bounded in time and
 * size) so the client can read the answer.
 */
export const answerUnparsableRequests = (server: Server): void => {
  const answered = new WeakSet<Socket>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW" || error.code === "HPE_URI_TOO_LONG";
    let drained = 0;
    socket.removeAllListeners("data");
    socket.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) socket.destroy();
    });
    socket.on("error", () => socket.destroy());
    socket.resume();
    socket.end(tooLarge ? TOO_LARGE : BAD_REQUEST);
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  });
};
