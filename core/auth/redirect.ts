/** Accepts only local paths (no scheme, no `//host`), so redirect_to cannot send users away. */
export function safeRedirect(target: unknown, fallback = '/wp-admin/network/'): string {
  if (typeof target !== 'string') return fallback;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\') || /[\r\n]/.test(target)) {
    return fallback;
  }
  return target;
}

export function loginUrl(redirectTo?: string): string {
  return redirectTo ? `/wp-login.php?redirect_to=${encodeURIComponent(redirectTo)}` : '/wp-login.php';
}
