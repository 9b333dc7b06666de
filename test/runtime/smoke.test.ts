import { expect, it } from "vitest";
import { exports } from "cloudflare:workers";
it("answers", async () => {
  const res = await exports.default.fetch("http://x/");
  expect(await res.text()).toBe("ok");
});
