// Unit tests print nothing on success: log lines and console output are shown only for a failing test.
import { quietLogsPerTest } from "../log-capture";

quietLogsPerTest();
