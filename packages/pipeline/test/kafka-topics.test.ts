import { describe, expect, it } from 'vitest'
import { MESSAGE_VERSION, TOPICS, decodeMessage, encodeMessage } from '../src/kafka/topics.js'

// The topic catalog: what a worker of this build accepts from writers of this and later builds.
describe('topic catalog', () => {
  it('round-trips a span message', () => {
    const value = encodeMessage('spans', { v: MESSAGE_VERSION, project_id: 'p', line: '[1]' })
    expect(decodeMessage('spans', Buffer.from(value))).toEqual({ v: 1, project_id: 'p', line: '[1]' })
  })

  it('reads a message from a newer writer: a higher v and fields it does not know', () => {
    const value = JSON.stringify({ v: 2, project_id: 'p', line: '[1]', ingest_region: 'eu' })
    expect(decodeMessage('spans', value)).toEqual({ v: 2, project_id: 'p', line: '[1]' })
  })

  it.each([
    ['empty', null, /empty message/],
    ['not JSON', '{"v":1', /not JSON/],
    ['no project', '{"v":1,"line":"[1]"}', /project_id/],
    ['no version', '{"project_id":"p","line":"[1]"}', /v /],
    ['line not a string', '{"v":1,"project_id":"p","line":3}', /line/],
  ])('refuses %s, naming the topic', (_name, value, error) => {
    expect(() => decodeMessage('spans', value)).toThrow(error)
    expect(() => decodeMessage('spans', value)).toThrow(TOPICS.spans.name)
  })

  it('dead letters carry the error, the payload and where it came from', () => {
    const letter = {
      v: 1,
      error: 'bad',
      at: new Date(0).toISOString(),
      source: { topic: TOPICS.spans.name, partition: 2, offset: '41' },
      payload: 'x',
    }
    expect(decodeMessage('deadLetter', encodeMessage('deadLetter', letter))).toEqual(letter)
  })
})
