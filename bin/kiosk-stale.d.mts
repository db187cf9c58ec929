// Types for kiosk-stale.mjs (imported by the TypeScript test harness).
export declare const KIOSK_SOURCES: string[];
export declare function kioskStale(root?: string): boolean;
