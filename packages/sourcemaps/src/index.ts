/**
 * Debug IDs and source maps for every zone build (prepare.ts, run by @repo/next-config after
 * Next's compilers, after-build.ts), and the upload of each build's maps to every project that
 * can receive its frames (plan.ts, upload.ts; the `sourcemaps upload` command, cli.ts).
 */
export { afterProductionBuild, uploadWhenInboxUp } from './after-build.ts';
export { prepareBuild, type PreparedBuild } from './prepare.ts';
export { uploadBuilds } from './upload.ts';
export { findBuilds, readRecord, type BuildIdentity } from './record.ts';
export { planUploads, receivingOwners, uploadTarget, SENTRY_PROJECT_ENV, type RecordedBuild, type UploadTarget } from './plan.ts';
