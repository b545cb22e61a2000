/**
 * Credentials must never reach a terminal, a log or a result file. Every secret geobench learns
 * (passwords from URLs, PGPASSWORD, the embedded cluster's password) is registered here, and all
 * user-facing text passes through `redact` on its way out.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 3) secrets.add(secret);
}

/** Replaces registered secrets and any `scheme://user:password@` password with `***`. */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi, '$1***$3');
  for (const secret of secrets) out = out.split(secret).join('***');
  out = out.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  return out;
}
