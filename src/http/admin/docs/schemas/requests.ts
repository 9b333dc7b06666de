// The request bodies named as OpenAPI components (described as input); their schemas live with the
// routes that validate them (../../schemas/), the names only here.
import { BulkReplayBodySchema, PauseRequestSchema, SilenceBodySchema } from "../../schemas";
import { requestSchemas } from "./common";

requestSchemas.add(BulkReplayBodySchema, { id: "BulkReplayRequest" });
requestSchemas.add(SilenceBodySchema, { id: "SilenceInput" });
requestSchemas.add(PauseRequestSchema, { id: "PauseRequest" });
