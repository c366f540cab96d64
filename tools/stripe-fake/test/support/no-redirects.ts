/**
 * What an integration that confirms card payments on the server sends, as the payments service does: no
 * redirect-based payment methods, so confirmations need no `return_url`.
 */
export const NO_REDIRECTS = { enabled: true, allow_redirects: 'never' } as const;
