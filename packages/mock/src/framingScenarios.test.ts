import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER } from "./mockAnswer.js";
import { rawRequest, sseContent, sseData } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const body = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true };
const get = async (scenario: string) => {
  const response = await rawRequest(`${mock.url}/s/${scenario}/v1/chat/completions`, body);
  expect(response.status).toBe(200);
  return response;
};

describe("framing scenarios", () => {
  it("crlf ends every line with CRLF and carries the ok answer", async () => {
    const text = (await get("crlf")).body.toString("utf8");
    expect(text).toContain("\r\n\r\n");
    expect(/[^\r]\n/.test(text)).toBe(false);
    expect(text).toContain(": ping\r\n");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("cr ends every line with a lone CR", async () => {
    const text = (await get("cr")).body.toString("utf8");
    expect(text).not.toContain("\n");
    expect(text).toContain("\r\r");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("bom starts the body with the UTF-8 byte order mark", async () => {
    const bytes = (await get("bom")).body;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3, 9).toString()).toBe("data: ");
    expect(sseContent(bytes.toString("utf8"))).toBe(MOCK_ANSWER);
  });

  it("split-bytes writes one byte at a time, splitting multi-byte characters", async () => {
    const response = await get("split-bytes");
    const record = mock.requests.at(-1)!;
    expect(record.writes).toBe(response.body.byteLength);
    // An event-loop turn separates the writes, so the client sees many small reads.
    expect(response.reads).toBeGreaterThan(20);
    expect(sseContent(response.body.toString("utf8"))).toBe(MOCK_ANSWER);
  });

  it("no-trailing-blank-line ends with data: [DONE] and a single newline", async () => {
    const text = (await get("no-trailing-blank-line")).body.toString();
    expect(text.endsWith("\n\ndata: [DONE]\n")).toBe(true);
  });

  it("multiline-data splits JSON payloads over two data lines that join into valid JSON", async () => {
    const text = (await get("multiline-data")).body.toString();
    expect(text).toMatch(/^data: \{"id":"chatcmpl-mock-\d+"\ndata: ,"object":/m);
    const payloads = sseData(text);
    expect(payloads.filter((data) => data.includes("\n")).length).toBeGreaterThan(10);
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("event-fields adds retry, id and event lines", async () => {
    const text = (await get("event-fields")).body.toString();
    expect(text.startsWith("retry: 3000\n\nid: 1\nevent: message\ndata: ")).toBe(true);
    expect(text).toContain("\nid: 2\ndata: ");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("refuses OpenAI-only framing on Ollama's /api/chat with a 400 that names the endpoint", async () => {
    const response = await rawRequest(`${mock.url}/s/crlf/api/chat`, body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error).toContain("/v1/chat/completions");
  });
});
