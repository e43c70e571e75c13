// Types for electron-binary.mjs, which the TypeScript e2e tests import.
export declare function findElectron(): { path: string } | { missing: string };
