// The overview's "Silences" section (contract §8): the active run-time silences and the maintenance
// windows in force, so an operator sees at a glance which alerts are suppressed and until when.
import type { EndpointScope, MaintenanceWindow } from "../../core/maintenance";
import type { Silence } from "../../ports/silences";
import { Scroll } from "./layout";

const scopeText = (scope: EndpointScope) => (scope === "*" ? "all endpoints" : scope.join(", "));
const when = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

export function Silences(props: { silences: readonly Silence[]; windows: readonly MaintenanceWindow[]; now: number }) {
  const windows = props.windows.filter((w) => w.start <= props.now && props.now < w.end);
  if (props.silences.length === 0 && windows.length === 0) return <p class="mut">No silence or maintenance window is active: every alert goes out.</p>;
  return (
    <Scroll label="Silences">
      <table>
        <caption>Alerts of these endpoints are suppressed until the end shown</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Endpoints</th>
            <th scope="col">Until</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {props.silences.map((s) => (
            <tr>
              <td>silence</td>
              <td>{scopeText(s.endpoints)}</td>
              <td>{when(s.until)}</td>
              <td>{s.reason ?? ""}</td>
            </tr>
          ))}
          {windows.map((w) => (
            <tr>
              <td>maintenance</td>
              <td>{scopeText(w.endpoints)}</td>
              <td>{when(w.end)}</td>
              <td>{w.pauseDelivery ? "deliveries paused" : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
