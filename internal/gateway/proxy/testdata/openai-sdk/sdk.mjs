// The official OpenAI SDK against the gateway (run by openai_sdk_test.go):
// list the models, chat plain and streamed, call the Responses API plain and
// streamed, and be refused a model not granted (403) and an unknown one
// (404), with the gateway's message; then, through a gateway with limits per
// person, read the x-ratelimit-* headers, retry a short rate limit, and fail
// at once on a budget a stream spent (Chat Completions' and the Responses
// API's).
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.GATEWAY_URL + "/v1", apiKey: process.env.TOKEN, maxRetries: 0 });
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

const models = [];
for await (const m of client.models.list()) models.push(m.id);
check(JSON.stringify(models) === JSON.stringify(["echo"]), `models: ${JSON.stringify(models)}, want ["echo"]`);

const chat = await client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "hello gateway" }] });
const plain = chat.choices[0].message.content;
check(plain.includes("hello gateway"), `chat: ${JSON.stringify(plain)}`);

let streamed = "";
const stream = await client.chat.completions.create({ model: "echo", stream: true, messages: [{ role: "user", content: "hello stream" }] });
for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
check(streamed.includes("hello stream"), `stream: ${JSON.stringify(streamed)}`);

const answer = await client.responses.create({ model: "echo", input: "hello responses" });
check(answer.output_text.includes("hello responses"), `responses: ${JSON.stringify(answer.output_text)}`);
let responded = "";
for await (const event of await client.responses.create({ model: "echo", input: "hello response stream", stream: true })) {
  if (event.type === "response.output_text.delta") responded += event.delta;
}
check(responded.includes("hello response stream"), `responses stream: ${JSON.stringify(responded)}`);

async function refusal(model, Class, status, code, text) {
  try {
    await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
    problems.push(`${model}: not refused`);
  } catch (err) {
    check(err instanceof Class, `${model}: ${err.constructor.name}, want ${Class.name}`);
    check(err.status === status && err.code === code, `${model}: ${err.status} ${err.code}, want ${status} ${code}`);
    check(err.message.includes(text) && !err.message.includes("(no body)"), `${model}: the SDK shows ${JSON.stringify(err.message)}`);
  }
}
await refusal("secret", OpenAI.PermissionDeniedError, 403, "model_not_allowed", "403 your token does not grant the model `secret`");
await refusal("nope", OpenAI.NotFoundError, 404, "model_not_found", "404 The model `nope` does not exist or you do not have access to it.");

// Counts the HTTP requests each client makes, retries included.
function limitedClient(token) {
  const counter = { n: 0 };
  const c = new OpenAI({
    baseURL: process.env.LIMITED_URL + "/v1", apiKey: token, maxRetries: 2,
    fetch: (url, init) => { counter.n++; return fetch(url, init); },
  });
  return [c, counter];
}
const say = (text) => ({ model: "echo", messages: [{ role: "user", content: text }] });

const [pacer, paced] = limitedClient(process.env.PACER_TOKEN);
const { response } = await pacer.chat.completions.create(say("hi")).withResponse();
const h = (name) => response.headers.get(name);
check(h("x-ratelimit-limit-requests") === "2" && h("x-ratelimit-remaining-requests") === "1" && /^\d+s$/.test(h("x-ratelimit-reset-requests")),
  `x-ratelimit-*: ${h("x-ratelimit-limit-requests")} ${h("x-ratelimit-remaining-requests")} ${h("x-ratelimit-reset-requests")}`);
const emb = await pacer.embeddings.create({ model: "echo", input: "hello" });
check(emb.data[0].embedding.length > 0, `embeddings: ${JSON.stringify(emb.data)}`);
paced.n = 0;
const retried = await pacer.chat.completions.create(say("again"));
check(retried.choices[0].message.content.includes("again"), `after the rate limit: ${JSON.stringify(retried.choices)}`);
check(paced.n === 2, `a short rate limit: ${paced.n} requests, want 2 (refused, then retried)`);

// The budget is spent by a stream that did not ask for its usage, sent to
// the default upstream: the gateway asks for it, and keeps it from the SDK.
const [spender, spent] = limitedClient(process.env.SPENDER_TOKEN);
let spending = "";
for await (const chunk of await spender.chat.completions.create({ ...say("spend it"), stream: true })) {
  check(chunk.choices.length > 0 && !chunk.usage, `a stream that did not ask for usage got ${JSON.stringify(chunk)}`);
  spending += chunk.choices[0]?.delta?.content ?? "";
}
check(spending.includes("spend it"), `spending stream: ${JSON.stringify(spending)}`);
spent.n = 0;
const started = Date.now();
try {
  await spender.chat.completions.create(say("more"));
  problems.push("spent budget: not refused");
} catch (err) {
  check(err instanceof OpenAI.RateLimitError && err.code === "insufficient_quota", `spent budget: ${err.constructor.name} ${err.code}`);
}
check(spent.n === 1, `spent budget: ${spent.n} requests, want 1 (no retry)`);
check(Date.now() - started < 5000, `spent budget: failed after ${Date.now() - started} ms, want at once`);

// The Responses API's stream reports its usage unasked: it spends a budget
// too, and the next call fails at once.
const [rspender] = limitedClient(process.env.RSPENDER_TOKEN);
for await (const event of await rspender.responses.create({ model: "echo", input: "spend it", stream: true })) void event;
try {
  await rspender.responses.create({ model: "echo", input: "more" });
  problems.push("budget spent by a responses stream: not refused");
} catch (err) {
  check(err instanceof OpenAI.RateLimitError && err.code === "insufficient_quota", `responses, spent budget: ${err.constructor.name} ${err.code}`);
}

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify({ models, plain, streamed, responses: answer.output_text, responded }));
