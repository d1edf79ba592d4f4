export type { SpanLog, LogProducer, LogConsumer, LogRecord, ConsumedBatch, ConsumedRecord, TopicSpec } from './log.js'
export { createKafkaLog, type KafkaLogOptions } from './kafkajs.js'
export {
  TOPICS,
  SpanMessage,
  DeadLetterMessage,
  MESSAGE_VERSION,
  encodeMessage,
  decodeMessage,
  type TopicId,
  type MessageOf,
} from './topics.js'
export { KafkaTransport, openKafkaTransport, type KafkaTransportOptions } from './transport.js'
export { createSpanBatchHandler, type SpanConsumerDeps } from './consume.js'
