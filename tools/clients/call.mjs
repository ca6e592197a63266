// Calls a running SemanticMatch server with a real client package, as its users would, and prints what the client
// returned (or the error it raised) as one JSON line. The server tests run it and check the answers against the
// server's own routes: node tools/clients/call.mjs SCENARIO (SEMMATCH_URL and SEMMATCH_KEY in the environment).
import OpenAI from "openai";
import { OpenAIEmbeddings } from "@langchain/openai";
import { CohereRerank } from "@langchain/cohere";
import { Document } from "@langchain/core/documents";
import { CohereClient, CohereClientV2 } from "cohere-ai";

const url = process.env.SEMMATCH_URL;
const key = process.env.SEMMATCH_KEY;
const texts = ["cordless drill", "garden hose", "ceiling fan with light"];

const openai = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
const cohere = () => new CohereClient({ environment: url, token: key });
const cohereV2 = () => new CohereClientV2({ environment: url, token: key });

const scenarios = {
  "openai-embeddings": async () => {
    const answer = await openai().embeddings.create({ model: "minilm", input: texts });
    return { vectors: answer.data.map((d) => d.embedding), usage: answer.usage };
  },
  "openai-embeddings-error": () => openai().embeddings.create({ model: "no-such-model", input: "x" }),
  "openai-models": async () => {
    const ids = [];
    for await (const model of openai().models.list()) ids.push(model.id);
    return { ids };
  },
  "langchain-embed-documents": async () => {
    const many = Array.from({ length: 600 }, (_, i) => `${texts[i % texts.length]} ${i}`);
    const embeddings = new OpenAIEmbeddings({ model: "minilm", apiKey: key, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 });
    const vectors = await embeddings.embedDocuments(many);
    return { count: vectors.length, first: vectors[0], last: vectors[599], lastText: many[599] };
  },
  "langchain-embed-error": () =>
    new OpenAIEmbeddings({ model: "no-such-model", apiKey: key, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 }).embedQuery("x"),
  "cohere-v1-rerank": async () => {
    const answer = await cohere().rerank({ query: "drill", documents: texts, topN: 2, returnDocuments: true });
    return { results: answer.results.map((r) => ({ index: r.index, score: r.relevanceScore, text: r.document?.text })) };
  },
  "cohere-v1-rerank-error": () => cohere().rerank({ model: "no-such-model", query: "drill", documents: texts }),
  "cohere-v2-rerank": async () => {
    const answer = await cohereV2().rerank({ model: "minilm", query: "drill", documents: texts, topN: 3 });
    return { results: answer.results.map((r) => ({ index: r.index, score: r.relevanceScore })) };
  },
  "cohere-v2-rerank-error": () => cohereV2().rerank({ model: "minilm", query: "", documents: texts }),
  "langchain-cohere-rerank": async () => {
    const reranker = new CohereRerank({ client: cohere(), model: "minilm", topN: 2 });
    const kept = await reranker.compressDocuments(texts.map((t) => new Document({ pageContent: t })), "drill");
    return { kept: kept.map((d) => ({ text: d.pageContent, score: d.metadata.relevanceScore })) };
  },
};

const scenario = scenarios[process.argv[2]];
if (!scenario) {
  console.error(`unknown scenario '${process.argv[2]}': one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}

try {
  console.log(JSON.stringify({ ok: await scenario() }));
} catch (error) {
  // What the client shows its user: the message, and the status where the client keeps one.
  console.log(JSON.stringify({ error: { name: error?.constructor?.name, status: error?.status ?? error?.statusCode ?? null, message: String(error?.message ?? error) } }));
}
