export { createLocalEmbedder, EmbedderError, type Embedder } from './embedder.js'
export { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.js'
export { startEmbeddingJob, type EmbeddingJob, type EmbeddingJobOptions } from './job.js'
