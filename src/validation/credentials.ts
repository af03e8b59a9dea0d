/**
 * The one credential detector: every construct that writes a user's value inline asks it, so a
 * token can never reach a manifest through one prop while another refuses it.
 *
 * References are not credentials: `{{args.x}}` (an analysis argument, which can come from a
 * Secret with `valueFrom.secretKeyRef`) and `$key` (a key of the notifications Secret).
 */

/** Header, query parameter and field names whose values are credentials. */
const CREDENTIAL_NAME = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|passw(or)?d|^pwd$|(^|[-_])auth([-_]|$)|authorization|credential|session|signature|^sig$|private|api[-_]?key|(^|[-_])key([-_]|$)/i;

/** Whether a header, query parameter or key of that name carries a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** A value that refers to a secret instead of holding it. */
const REFERENCE = /^(\{\{\s*(args|secrets)\.[^}]*\}\}|\$[-._a-zA-Z0-9]+)$/;

/** Well-known token formats, found anywhere in a free text. */
const TOKEN_FORMATS: Array<[RegExp, string]> = [
  [/\bxox[a-z]-[A-Za-z0-9-]+/, 'a Slack token'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, 'a JSON web token'],
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}/, 'an API secret key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/hooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/]+/, 'a Slack webhook URL (its path is the secret)'],
  [/\b(Bearer|Basic|Token)\s+(?!\{\{)(?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{8,}=*/, 'an Authorization credential'],
];

/**
 * What in `value` is an inline credential (`user:password@` in a URL, a token-like query
 * parameter, a well-known token format), or `undefined`.
 */
export function inlineCredential(value: string): string | undefined {
  for (const m of value.matchAll(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#@]*)@/gi)) {
    const userinfo = m[2];
    const sshUser = /^(ssh|git)$/i.test(m[1]) && !userinfo.includes(':');
    if (userinfo !== '' && !sshUser && !REFERENCE.test(userinfo.split(':').pop()!)) return 'a URL with user:password@ (credentials in the URL)';
  }
  for (const m of value.matchAll(/[?&;]([A-Za-z0-9_.-]+)=([^&#\s"']*)/g)) {
    if (m[2] !== '' && isCredentialName(m[1]) && !REFERENCE.test(decodeURIComponentSafe(m[2]))) return `a URL with a credential in its query parameter "${m[1]}"`;
  }
  for (const [pattern, what] of TOKEN_FORMATS) {
    if (pattern.test(value)) return what;
  }
  return undefined;
}

/** Whether an inline value of a header called `name` would be a credential. */
export function inlineHeaderCredential(name: string, value: string): string | undefined {
  if (isCredentialName(name) && !REFERENCE.test(value.replace(/^(Bearer|Basic|Token)\s+/i, '')) && !value.includes('{{')) {
    return `header "${name}" carries a credential`;
  }
  return inlineCredential(value);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Where a credential goes instead, for error messages. */
export const SECRET_REFERENCE_HINT = 'a value without credentials; reference a Secret instead (analysis: HttpHeader.fromSecret, read with valueFrom.secretKeyRef; notifications: a $key of argo-rollouts-notification-secret, e.g. urlSecretKey, secretKey)';
