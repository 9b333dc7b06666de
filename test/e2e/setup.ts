// End-to-end tests print nothing on success: a failing test shows its own console output and the
// recent output lines of every gateway still running (the harness captures wrangler dev's output).
import { quietLogsPerTest } from "../log-capture";
import { recentGatewayLines } from "./harness/gateway";

quietLogsPerTest(() => recentGatewayLines());
