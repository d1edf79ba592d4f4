/** Kept equal to packages/sdk/package.json "version" (a test checks it). */
export const SDK_VERSION = '0.1.0'
export const SDK_NAME = '@tollgate/sdk'
