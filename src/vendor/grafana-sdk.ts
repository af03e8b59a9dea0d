/**
 * The modules of `@grafana/grafana-foundation-sdk` that `RolloutDashboard` uses. The compile task
 * bundles this file with esbuild into `lib/src/vendor/grafana-sdk.js`, so the package ships these
 * modules' code only and the SDK is a devDependency.
 */
export * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
export * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
export * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
export * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
