// The official OpenAI SDK against the gateway (run by openai_sdk_test.go):
// list the models, chat plain and streamed, and be refused a model not
// granted (403) and an unknown one (404), with the gateway's message.
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

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify({ models, plain, streamed }));
