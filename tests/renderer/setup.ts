// jsdom lacks IndexedDB, ResizeObserver and matchMedia; the renderer needs the first two.
import 'fake-indexeddb/auto';

class ResizeObserverStub {
  constructor(private cb: ResizeObserverCallback) {}
  observe(): void { this.cb([], this as unknown as ResizeObserver); }
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= ResizeObserverStub;
if (!window.matchMedia) {
  window.matchMedia = ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {}, onchange: null, dispatchEvent: () => false })) as unknown as typeof window.matchMedia;
}
