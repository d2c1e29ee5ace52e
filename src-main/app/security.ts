/**
 * The Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security) as data, so a test
 * can check it without starting Electron: isolation + sandbox on, Node off, strict CSP, no remote content,
 * no navigation, no new windows, no permissions.
 */
export const CSP_ELECTRON = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  } as const;
}

/** Only the app's own entry may be loaded; everything else (http, https, other files) is refused. */
export function isAppUrl(url: string, appEntry: string): boolean {
  try {
    const u = new URL(url), e = new URL(appEntry);
    return u.protocol === e.protocol && u.host === e.host && u.pathname === e.pathname;
  } catch {
    return false;
  }
}
