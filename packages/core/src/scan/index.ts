export { createScanner, redact, type InjectionFinding, type PiiFinding, type Scanner } from './scanner.js'
export { mergePatternDocuments, parsePatternDocument, PatternDef, PatternDocument } from './patterns.js'
export { luhnValid, ibanValid, phoneValid } from './validators.js'
