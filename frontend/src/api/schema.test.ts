import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const frontend = path.resolve(__dirname, "../..");
const script = path.join(frontend, "scripts/gen-types.mjs");
const tmp = mkdtempSync(path.join(tmpdir(), "schema-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function check(out: string) {
  try {
    const { stdout } = await run(process.execPath, [script, "--check", "--out", out], { cwd: frontend });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, output: e.stderr };
  }
}

describe("src/api/schema.d.ts", () => {
  it("is up to date with the API definition (npm run check:types)", async () => {
    const result = await check("src/api/schema.d.ts");
    expect(result.output).toContain("is up to date");
    expect(result.code).toBe(0);
  });

  it("the check fails on a stale copy", async () => {
    const stale = path.join(tmp, "schema.d.ts");
    copyFileSync(path.join(frontend, "src/api/schema.d.ts"), stale);
    writeFileSync(stale, readFileSync(stale, "utf8").replace("temperature: number;", "temperature: string;"));
    const result = await check(stale);
    expect(result.code).toBe(1);
    expect(result.output).toContain("is stale");
  });

  it("describes the operations the dashboard uses", () => {
    const text = readFileSync(path.join(frontend, "src/api/schema.d.ts"), "utf8");
    for (const p of ["/sites", "/sites/{siteId}/devices", "/devices", "/devices/{deviceId}", "/devices/{deviceId}/readings", "/me", "/events"]) {
      expect(text).toContain(`"${p}": {`);
    }
  });
});
