// The minimal upstream for the sync pass-through: a Node HTTP server on 127.0.0.1 that reads the
// body and answers 200 with a small JSON body. It runs in a worker thread, so the load generator's
// event loop never delays it, and it ends with this process. For `npm run cost`: paths under /fail
// always answer 500, paths under /flaky answer 500 to the first two tries of each webhook-id.
import { Worker } from "node:worker_threads";

export interface Upstream {
  url: string;
  /** Requests answered so far. */
  count(): Promise<number>;
  stop(): Promise<void>;
}

const THREAD = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
let answered = 0;
const tries = new Map();
const reply = Buffer.from('{"ok":true,"authorized":true}');
const server = http.createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    answered++;
    const id = String(req.headers["webhook-id"] ?? "");
    if (req.url.startsWith("/flaky")) tries.set(id, (tries.get(id) ?? 0) + 1);
    const fail = req.url.startsWith("/fail") || (req.url.startsWith("/flaky") && tries.get(id) <= 2);
    res.writeHead(fail ? 500 : 200, { "Content-Type": "application/json", "Content-Length": reply.length });
    res.end(reply);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (m) => {
  if (m === "count") parentPort.postMessage({ count: answered });
  if (m === "stop") server.close(() => parentPort.close());
});
`;

export function startUpstream(): Promise<Upstream> {
  const worker = new Worker(THREAD, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { port: number }) => {
      resolve({
        url: `http://127.0.0.1:${m.port}`,
        count: () =>
          new Promise((done) => {
            worker.once("message", (r: { count: number }) => done(r.count));
            worker.postMessage("count");
          }),
        async stop() {
          await worker.terminate();
        },
      });
    });
  });
}
