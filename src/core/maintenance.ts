// Maintenance windows (config) and silences (run time), docs/contract.md §8: whether an endpoint's
// alerts are suppressed, or its deliveries paused, at an instant. Pure: time comes in as an argument.

/** Which endpoints a window or silence covers: a list of names, or every endpoint. */
export type EndpointScope = "*" | readonly string[];

export interface MaintenanceWindow {
  endpoints: EndpointScope;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  pauseDelivery: boolean;
}

/** A run-time silence (POST /admin/silences), active until `until` (exclusive). */
export interface SilenceWindow {
  endpoints: EndpointScope;
  until: number;
}

/** Whether `scope` covers `endpoint`; an alert about no endpoint ("") is covered by "*" only. */
export function covers(scope: EndpointScope, endpoint: string): boolean {
  return scope === "*" || (endpoint !== "" && scope.includes(endpoint));
}

/** The maintenance windows covering `endpoint` at `now` (start ≤ now < end). */
export function activeWindows(windows: readonly MaintenanceWindow[], endpoint: string, now: number): MaintenanceWindow[] {
  return windows.filter((w) => w.start <= now && now < w.end && covers(w.endpoints, endpoint));
}

/** Whether an alert about `endpoint` is suppressed at `now`: inside a maintenance window or an active silence. */
export function alertSuppressed(endpoint: string, now: number, windows: readonly MaintenanceWindow[], silences: readonly SilenceWindow[]): boolean {
  return activeWindows(windows, endpoint, now).length > 0 || silences.some((s) => now < s.until && covers(s.endpoints, endpoint));
}

/**
 * Whether `endpointName`'s deliveries are paused at `now` by a maintenance window with
 * `pause_delivery`. The delivery path consults it through the endpoint pause (contract §6).
 */
export function maintenancePaused(config: { maintenanceWindows: readonly MaintenanceWindow[] }, endpointName: string, now: number): boolean {
  return activeWindows(config.maintenanceWindows, endpointName, now).some((w) => w.pauseDelivery);
}
