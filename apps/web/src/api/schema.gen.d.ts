// Generated from /openapi.json by apps/web/test/api-client.test.ts: do not edit.
export interface paths {
  '/openapi.json': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** This document */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description OpenAPI 3.1 */
        200: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/health': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Liveness (no auth) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description alive */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Live']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/health': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Liveness (no auth) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description alive */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Live']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/ready': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Readiness: ClickHouse takes inserts, Postgres answers, DATA_DIR has room (no auth) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description ready */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Readiness']
          }
        }
        /** @description a dependency is down */
        503: {
          headers: {
            /** @description seconds */
            'Retry-After'?: number
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Readiness']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/metrics': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Prometheus metrics (credentials needed unless METRICS_PUBLIC=true) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description text exposition format */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/plain': string
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/ingest': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** Ingest spans: one span, an array, or { spans }; wire format v1 or agentwatch ATP; gzip accepted */
    post: {
      parameters: {
        query?: {
          /** @description `strong`: answer once the spans are queryable, not only durable (read-your-writes; 503 if the store does not take them within 30 s) */
          consistency?: 'strong'
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['IngestBody']
        }
      }
      responses: {
        /** @description every accepted span is durable (fdatasync'd to the write-ahead log); refused ones are listed per index */
        202: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['IngestResponse']
          }
        }
        /** @description malformed JSON, or every span refused (the list is in `rejected`) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description body over MAX_BODY_BYTES (after decompression) or more than MAX_SPANS_PER_REQUEST spans */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not JSON, or an unsupported Content-Encoding */
        415: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description overloaded, shutting down, log or backlog full, or the store down too long; nothing was acknowledged */
        503: {
          headers: {
            /** @description seconds to wait before retrying */
            'Retry-After'?: number
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/traces': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Trace summaries with filters, sorts, offset or cursor paging */
    get: {
      parameters: {
        query?: {
          search?: string
          status?: 'ok' | 'error' | 'unset'
          agent_id?: string
          model?: string
          user_id?: string
          session_id?: string
          from?: string
          to?: string
          min_cost?: number | null
          /** @description traces with a span whose prompt has this SHA-256 (exact repeats; stored for sampled spans without PII) */
          prompt_sha256?: string
          sort?: 'time' | 'cost' | 'duration' | 'tokens'
          order?: 'asc' | 'desc'
          limit?: number
          offset?: number | null
          cursor?: string
          /** @description approx: distinct traces among matching index rows (exact up to ~65k, ~1% above); exact: grouped and checked; none: not counted (-1) */
          total?: 'approx' | 'exact' | 'none'
          /** @description `tag.<key>=<value>`: traces with a span so tagged (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description a page of traces */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['TraceList']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/traces/{id}/spans': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** A trace's spans in start order, at most `limit` (≤ 1,000) per page; `next_cursor` continues */
    get: {
      parameters: {
        query?: {
          limit?: number
          cursor?: string
        }
        header?: never
        path: {
          /** @description 32 hex digits (W3C trace id; UUID form accepted) */
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the spans */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['TraceSpans']
          }
        }
        /** @description malformed id or parameter */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such trace in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/traces/{id}/graph': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Nodes and parent→child / agent hand-off edges of a trace */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          /** @description 32 hex digits (W3C trace id; UUID form accepted) */
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the graph */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['TraceGraph']
          }
        }
        /** @description malformed id */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such trace in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/projects': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Projects: all for the instance admin, the caller's own otherwise */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description projects */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['ProjectList']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    /** Create a project (instance admin: API_KEY) */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['CreateProjectBody']
        }
      }
      responses: {
        /** @description created */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Project']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/projects/{id}/keys': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** A project's keys: prefixes, scopes, last use, revocation */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description keys */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['KeyList']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such project for this caller */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    /** Create a key (shown once; stored as SHA-256); scopes ingest and/or read */
    post: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: {
        content: {
          'application/json': components['schemas']['CreateKeyBody']
        }
      }
      responses: {
        /** @description the key, once */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CreatedKey']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such project for this caller */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/projects/{id}/keys/{keyId}': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    post?: never
    /** Revoke a key (at once on this process, within API_KEY_CACHE_TTL_MS on others) */
    delete: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
          keyId: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description revoked */
        204: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such live key in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/metrics': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Traces, spans, tokens, cost, error rate and exact latency/TTFT percentiles over a window
     * @description Default window: the last 24 h.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 24 h before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          model?: string
          agent_id?: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the metrics */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Metrics']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/daily': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per period (hour, day, week or month in `tz`)
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          /** @description IANA zone the periods are cut in; default UTC */
          tz?: string
          granularity?: 'hour' | 'day' | 'week' | 'month'
          /** @description alias of granularity */
          group?: 'hour' | 'day' | 'week' | 'month'
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/by-agent': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per agent (id, name)
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/by-model': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per provider and model
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/by-user': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per user ('' for spans without one)
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/by-tag': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per value of the tag `key` (spans without it are not counted)
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          /** @description the tag key whose values are the rows */
          key: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/cost/timeseries': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Cost per period and group (model, agent, user or tag:<key>) for charts
     * @description Sums over the caller's deduplicated spans starting in [from, to); default the last 30 days.
     */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339; default 30 days before `to` */
          from?: string
          /** @description RFC 3339, exclusive; default now */
          to?: string
          tz?: string
          granularity?: 'hour' | 'day'
          group?: string
          /** @description `tag.<key>=<value>`: only spans with that tag (repeatable) */
          'tag.{key}'?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rows and their total */
        200: {
          headers: {
            /** @description `rollup` (hourly rollups: whole-hour range and zone offset, no tag filter) or `spans` (deduplicated raw spans) */
            'X-Tollgate-Source'?: 'rollup' | 'spans'
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CostResponse']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/budgets': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The project's budgets, each with the spend of its current window */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description budgets */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['BudgetList']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    /** Create a budget */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['CreateBudgetBody']
        }
      }
      responses: {
        /** @description created */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Budget']
          }
        }
        /** @description invalid body (field named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/budgets/{id}': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** One budget */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the budget */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Budget']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such budget in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    /** Delete a budget */
    delete: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description deleted */
        204: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such budget in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    options?: never
    head?: never
    /** Change any field of a budget (checked on the merged budget) */
    patch: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['PatchBudgetBody']
        }
      }
      responses: {
        /** @description the budget */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Budget']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such budget in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    trace?: never
  }
  '/api/policy': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** What SDKs enforce: every enabled budget with the spend of its current window, computed from the stored spans (cached POLICY_CACHE_TTL_MS) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the @tollgate/policy shape */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Policy']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/circuit-breaker/state': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** A breaker transition an SDK reports; appended to the audit table */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['CircuitTransition']
        }
      }
      responses: {
        /** @description stored */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              id: number
            }
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/circuit-breaker/status': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The latest reported state per breaker and SDK process */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description states */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['CircuitStatus']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/alerts': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The project's alert rules */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description rules */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertRuleList']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    /** Create an alert rule */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['CreateAlertBody']
        }
      }
      responses: {
        /** @description created */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertRule']
          }
        }
        /** @description invalid body (field named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/alerts/history': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Fired, resolved and SDK alerts, newest first, with their notification outcome */
    get: {
      parameters: {
        query?: {
          from?: string
          to?: string
          rule_id?: string
          limit?: number
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description events */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertHistory']
          }
        }
        /** @description invalid parameter */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/alerts/{id}': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    post?: never
    /** Delete a rule */
    delete: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description deleted */
        204: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such rule in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    options?: never
    head?: never
    /** Change any field of a rule (checked on the merged rule) */
    patch: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['PatchAlertBody']
        }
      }
      responses: {
        /** @description the rule */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertRule']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description not an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such rule in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    trace?: never
  }
  '/api/alerts/sdk-alert': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** An alert raised inside an SDK: stored in the history, forwarded to ALERT_WEBHOOK_URL */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['SdkAlert']
        }
      }
      responses: {
        /** @description the stored event */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertEvent']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/traces/{id}/compliance-score': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * EU AI Act Art. 12 record-keeping score (0-100) of a trace, with each check's result
     * @description The checklist and the article text each check serves: docs/compliance.md. Same data, same score.
     */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          /** @description 32 hex digits (W3C trace id; UUID form accepted) */
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the score */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['ComplianceScore']
          }
        }
        /** @description not a trace id */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such trace in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/traces/{id}/compliance-report': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Signed PDF compliance report of a trace
     * @description Summary, span timeline, costs, the checklist, the audit entries touching the trace and an integrity block. Signed (X-Signature); verify with POST /api/reports/verify or offline with `tollgate verify-report`. The generation is audited.
     */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          /** @description 32 hex digits (W3C trace id; UUID form accepted) */
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the PDF */
        200: {
          headers: {
            /** @description detached compact JWS (`header..signature`) over the SHA-256 of these bytes and the report id */
            'X-Signature'?: string
            /** @description the report id (also in the JWS header and the PDF) */
            'X-Report-Id'?: string
            /** @description kid of the key in GET /api/reports/keys */
            'X-Signing-Key-Id'?: string
            [name: string]: unknown
          }
          content: {
            'application/pdf': string
          }
        }
        /** @description not a trace id */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such trace in this project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/reports/keys': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * Public keys of every report signing key, current and retired (JWKS)
     * @description Served without credentials: anyone holding a report may check it (docs/compliance.md).
     */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the key set */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Jwks']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/reports/verify': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /**
     * Checks a report's bytes against its detached JWS with the published keys
     * @description `valid: false` for any changed byte, a signature of another report, or an unknown key.
     */
    post: {
      parameters: {
        query?: never
        header: {
          /** @description the X-Signature the report came with */
          'x-signature': string
        }
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/pdf': string
        }
      }
      responses: {
        /** @description the verdict */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['ReportVerification']
          }
        }
        /** @description no X-Signature, or an empty body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description body larger than MAX_BODY_BYTES */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/reports/monthly': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * A UTC month's totals, cost by day/model/agent, error rate and top traces by cost
     * @description Every figure equals GET /api/metrics and /api/cost/* for from/to = the month (same store functions).
     */
    get: {
      parameters: {
        query?: {
          /** @description a UTC calendar month, YYYY-MM; default the current month */
          month?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the report data */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['MonthlyReport']
          }
        }
        /** @description invalid month */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/reports/monthly/csv': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * The month's traces, one row per trace (RFC 4180, header row), streamed
     * @description Columns: trace_id, name, start_time, end_time, duration_ms, spans, errors, input_tokens, output_tokens, cost_usd, unknown_cost_spans, models, agents. Sums over each trace's spans starting in the month; lists joined with ";".
     */
    get: {
      parameters: {
        query?: {
          /** @description a UTC calendar month, YYYY-MM; default the current month */
          month?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description one row per trace */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/csv': string
          }
        }
        /** @description invalid month */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/reports/monthly/pdf': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The monthly report as a signed PDF, with charts of cost by day and by model */
    get: {
      parameters: {
        query?: {
          /** @description a UTC calendar month, YYYY-MM; default the current month */
          month?: string
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the PDF */
        200: {
          headers: {
            /** @description detached compact JWS (`header..signature`) over the SHA-256 of these bytes and the report id */
            'X-Signature'?: string
            /** @description the report id (also in the JWS header and the PDF) */
            'X-Report-Id'?: string
            /** @description kid of the key in GET /api/reports/keys */
            'X-Signing-Key-Id'?: string
            [name: string]: unknown
          }
          content: {
            'application/pdf': string
          }
        }
        /** @description invalid month */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/audit': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Audit entries of the caller's project (or the instance chain), in chain order */
    get: {
      parameters: {
        query?: {
          /** @description RFC 3339, inclusive */
          from?: string
          /** @description RFC 3339, exclusive */
          to?: string
          /** @description entries naming this trace (and, with from/to, entries in that range) */
          trace_id?: string
          /** @description page on: the last seq already seen */
          after_seq?: number | null
          limit?: number
          /** @description `project` (the caller's) or `instance` (configuration at start) */
          chain?: 'project' | 'instance'
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description entries and the cursor of the next page */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AuditList']
          }
        }
        /** @description invalid parameter (named in detail) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/audit/verify': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Recomputes the project's hash chain and the instance chain; reports the first broken link of each */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description each chain checked */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AuditVerification']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/api/alerts/sdk-alert': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** An alert raised inside an SDK: stored in the history, forwarded to ALERT_WEBHOOK_URL */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': components['schemas']['SdkAlert']
        }
      }
      responses: {
        /** @description the stored event */
        201: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['AlertEvent']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/spans/{id}/similar': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /**
     * The nearest prompts of the caller's project to this span's prompt
     * @description Only sampled spans without PII are embedded (EMBEDDING_SAMPLE_RATE), after their 202. With the built-in embedder, neighbours share wording (near-duplicates, templates); paraphrases need an EMBEDDINGS_URL model.
     */
    get: {
      parameters: {
        query?: {
          limit?: number
          /** @description the span's trace (32 hex digits); span ids are unique per trace */
          trace_id?: string
        }
        header?: never
        path: {
          /** @description 16 hex digits */
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the neighbours, nearest first */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['SimilarSpans']
          }
        }
        /** @description malformed id or parameter */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no embedded span with this id in this project (not sampled, PII found, or unknown) */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/scan': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** What the PII and prompt-injection scanners find in a text (for tuning PATTERNS_FILE); nothing is stored */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': {
            /** @description at most 256 KiB, as a span input */
            text: string
          }
        }
      }
      responses: {
        /** @description the findings */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['ScanResult']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description needs an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/scan/policy': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The caller's project's PII policy */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the policy */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['PiiPolicy']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    /** Sets the caller's project's PII policy (null: back to PII_POLICY); other replicas apply it within 10 s */
    put: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string|null} */
            pii_policy: 'redact' | 'drop' | 'keep' | null
          }
        }
      }
      responses: {
        /** @description the policy now */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['PiiPolicy']
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description needs an admin credential */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the project has no row (a JWT may name one that was never created) */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/api/session': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** Who the dashboard is signed in as (the credential sent, the session cookie, or local mode) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the caller */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Session']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no read scope */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    /**
     * The dashboard's login: the credential in X-API-Key or Authorization: Bearer becomes a session cookie
     * @description Set-Cookie `tollgate_session` (HttpOnly; Secure; SameSite=Strict; 12 h). The cookie carries the credential, which is checked again on every request (a revoked key or an expired JWT stops it). A request authenticated by the cookie alone that is not GET/HEAD needs `X-Tollgate-CSRF: 1`. In local mode no cookie is set.
     */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description signed in */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': components['schemas']['Session']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the credential cannot read */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    /** Log out: the session cookie is cleared */
    delete: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description cookie cleared */
        204: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description missing X-Tollgate-CSRF */
        403: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at / is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/login': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /login is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/traces': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /traces is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/traces/{id}': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /traces/:id is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          id: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/cost': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /cost is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/alerts': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /alerts is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/budgets': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /budgets is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/settings': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard (index.html of apps/web; the page at /settings is routed in the browser) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the single-page app */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'text/html': string
          }
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/assets/{file}': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard's content-hashed scripts and styles (immutable) */
    get: {
      parameters: {
        query?: never
        header?: never
        path: {
          file: string
        }
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the file */
        200: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description not modified (ETag) */
        304: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/favicon.svg': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The dashboard's icon */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the icon */
        200: {
          headers: {
            [name: string]: unknown
          }
          content?: never
        }
        /** @description no such file */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description the dashboard is not built (npm run build) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/traces': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /**
     * OTLP/HTTP traces (ExportTraceServiceRequest), protobuf or JSON, optionally gzip
     * @description Point an OpenTelemetry OTLP/HTTP exporter here (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<tollgate>/v1/traces`). GenAI semantic conventions (current and older names), OpenInference and `llm.*` attributes become model, provider, tokens, cost, agent, user and session. 200 once the accepted spans are durable; rejected spans are counted in `partialSuccess`. 429/503 carry Retry-After (OTLP exporters retry them).
     */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/x-protobuf': string
          'application/json': Record<string, never>
        }
      }
      responses: {
        /** @description stored (durable); rejected spans in partialSuccess */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/x-protobuf': string
            'application/json': {
              partialSuccess?: {
                rejectedSpans?: number
                errorMessage?: string
              }
            }
          }
        }
        /** @description undecodable body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description body or span count over the limits */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description neither protobuf nor JSON */
        415: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/spans': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /**
     * instrumentation-sdk's LLMSpan JSON (one span or a list)
     * @description The REST contract of instrumentation-sdk (`POST /v1/spans`). 202 once durable; spans that can never be stored are listed by index; none accepted → 400.
     */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json':
            | ({
                /** @description UUID; its first 16 hex digits become the span id */
                span_id: string
                /** @description UUID; a new trace id when null */
                trace_id?: string | null
                parent_span_id?: string | null
                model: string
                provider: string
                service_name: string
                endpoint: string
                environment?: string
                user_id?: string | null
                session_id?: string | null
                prompt_tokens: number
                completion_tokens: number
                latency_ms_ttft?: number | null
                latency_ms_total: number
                /** @description 0 = not computed: Tollgate prices the call */
                cost_usd_micro: number
                /** @description when the call started */
                timestamp_utc: string
                pii_detected?: boolean
                injection_attempt?: boolean
              } & {
                [key: string]: unknown
              })
            | ({
                /** @description UUID; its first 16 hex digits become the span id */
                span_id: string
                /** @description UUID; a new trace id when null */
                trace_id?: string | null
                parent_span_id?: string | null
                model: string
                provider: string
                service_name: string
                endpoint: string
                environment?: string
                user_id?: string | null
                session_id?: string | null
                prompt_tokens: number
                completion_tokens: number
                latency_ms_ttft?: number | null
                latency_ms_total: number
                /** @description 0 = not computed: Tollgate prices the call */
                cost_usd_micro: number
                /** @description when the call started */
                timestamp_utc: string
                pii_detected?: boolean
                injection_attempt?: boolean
              } & {
                [key: string]: unknown
              })[]
        }
      }
      responses: {
        /** @description stored (durable) */
        202: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              success: boolean
              accepted: number
              rejected: {
                index: number
                error: string
              }[]
            }
          }
        }
        /** @description no span could be stored (each listed) */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description over the body or span limits */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/events/batch': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /**
     * tokenome event batches: one span per event, event_id as the idempotency key
     * @description `TokenLens(endpoint="<tollgate>/v1/events/batch")`. 202 once durable (a redelivered batch is stored once); 400 only when no event of the batch can ever be stored (tokenome drops a batch on 400); 429/503 with Retry-After are retried from its spool.
     */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': {
            batch_id?: string
            sdk?: unknown
            events: ({
              event_id: string
            } & {
              [key: string]: unknown
            })[]
          } & {
            [key: string]: unknown
          }
        }
      }
      responses: {
        /** @description stored (durable) */
        202: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              batch_id: string | null
              accepted: number
              rejected: {
                index: number
                error: string
              }[]
            }
          }
        }
        /** @description not a batch, or no event can be stored */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description over the body or span limits */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/control/events': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /**
     * aden's event batch: metric events → spans, control events → the SDK-alert history
     * @description Always exactly 200 with a JSON body once the metric events are durable (aden drops a batch otherwise).
     */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': {
            events: unknown[]
          }
        }
      }
      responses: {
        /** @description stored (durable) */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              /** @description metric events stored as spans (durable) */
              accepted: number
              rejected: {
                index: number
                error: string
              }[]
              /** @description control events recorded in the alert history */
              control: number
              /** @description heartbeats and other events */
              ignored: number
            }
          }
        }
        /** @description not `{ events: [...] }` */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description over the body or span limits */
        413: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/control/policy': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** The project's budgets in aden's policy shape, with live spend (same budgets as GET /api/policy) */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the policy */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              version: string
            } & {
              [key: string]: unknown
            }
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/v1/control/budget/validate': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    get?: never
    put?: never
    /** aden's server-side budget check: the spend Tollgate knows and the action it implies */
    post: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody: {
        content: {
          'application/json': {
            budget_id: string
            estimated_cost?: number | null
            local_spend?: number | null
          } & {
            [key: string]: unknown
          }
        }
      }
      responses: {
        /** @description the decision */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              allowed: boolean
              /** @enum {string} */
              action: 'allow' | 'block' | 'degrade' | 'throttle' | 'alert'
              authoritative_spend: number
              updated_spend: number
              budget_limit: number
              usage_percent: number
              projected_percent: number
              policy_version: string
              reason: string | null
              degrade_to_model: string | null
              degrade_to_provider: null
            }
          }
        }
        /** @description invalid body */
        400: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description no such enabled USD budget in the caller’s project */
        404: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
  '/tsdb/pricing': {
    parameters: {
      query?: never
      header?: never
      path?: never
      cookie?: never
    }
    /** USD per million tokens per model, read from the pricer Tollgate bills with */
    get: {
      parameters: {
        query?: never
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: {
        /** @description the price table */
        200: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/json': {
              pricing: {
                [key: string]: {
                  input: number
                  output: number
                  cached_input: number
                  aliases: string[]
                }
              }
            }
          }
        }
        /** @description no valid credentials */
        401: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description rate limited (Retry-After) */
        429: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
        /** @description a store is unavailable (Retry-After) */
        503: {
          headers: {
            [name: string]: unknown
          }
          content: {
            'application/problem+json': components['schemas']['Problem']
          }
        }
      }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
}
export type webhooks = Record<string, never>
export interface components {
  schemas: {
    Span: {
      trace_id?: string | null
      span_id?: string | null
      parent_span_id?: string | null
      name?: string | null
      kind?: string | null
      start_time?: (string | number | unknown) | null
      end_time?: (string | number | unknown) | null
      status?:
        | (
            | string
            | {
                code: string | number
                message?: string | null
              }
          )
        | null
      error_message?: string | null
      provider?: string | null
      model?: string | null
      response_model?: string | null
      operation?: string | null
      stream?: boolean | null
      ttft_ms?: number | null
      usage?:
        | ({
            input_tokens?: number | null
            output_tokens?: number | null
            total_tokens?: number | null
            cache_read_tokens?: number | null
            cache_write_tokens?: number | null
            reasoning_tokens?: number | null
            prompt_tokens?: number | null
            completion_tokens?: number | null
          } & {
            [key: string]: unknown
          })
        | null
      cost?: {
        input_usd?: number | null
        output_usd?: number | null
        total_usd?: number | null
      } | null
      agent?: {
        id?: string | null
        name?: string | null
        role?: string | null
        parent_id?: string | null
      } | null
      user_id?: string | null
      session_id?: string | null
      tags?: {
        [key: string]: string | number | boolean
      } | null
      input?:
        | (
            | string
            | {
                [key: string]: unknown
              }
            | unknown[]
            | number
            | boolean
          )
        | null
      output?:
        | (
            | string
            | {
                [key: string]: unknown
              }
            | unknown[]
            | number
            | boolean
          )
        | null
      attributes?: {
        [key: string]: unknown
      } | null
    } & {
      [key: string]: unknown
    }
    IngestBody:
      | ({
          trace_id?: string | null
          span_id?: string | null
          parent_span_id?: string | null
          name?: string | null
          kind?: string | null
          start_time?: (string | number | unknown) | null
          end_time?: (string | number | unknown) | null
          status?:
            | (
                | string
                | {
                    code: string | number
                    message?: string | null
                  }
              )
            | null
          error_message?: string | null
          provider?: string | null
          model?: string | null
          response_model?: string | null
          operation?: string | null
          stream?: boolean | null
          ttft_ms?: number | null
          usage?:
            | ({
                input_tokens?: number | null
                output_tokens?: number | null
                total_tokens?: number | null
                cache_read_tokens?: number | null
                cache_write_tokens?: number | null
                reasoning_tokens?: number | null
                prompt_tokens?: number | null
                completion_tokens?: number | null
              } & {
                [key: string]: unknown
              })
            | null
          cost?: {
            input_usd?: number | null
            output_usd?: number | null
            total_usd?: number | null
          } | null
          agent?: {
            id?: string | null
            name?: string | null
            role?: string | null
            parent_id?: string | null
          } | null
          user_id?: string | null
          session_id?: string | null
          tags?: {
            [key: string]: string | number | boolean
          } | null
          input?:
            | (
                | string
                | {
                    [key: string]: unknown
                  }
                | unknown[]
                | number
                | boolean
              )
            | null
          output?:
            | (
                | string
                | {
                    [key: string]: unknown
                  }
                | unknown[]
                | number
                | boolean
              )
            | null
          attributes?: {
            [key: string]: unknown
          } | null
        } & {
          [key: string]: unknown
        })
      | ({
          trace_id?: string | null
          span_id?: string | null
          parent_span_id?: string | null
          name?: string | null
          kind?: string | null
          start_time?: (string | number | unknown) | null
          end_time?: (string | number | unknown) | null
          status?:
            | (
                | string
                | {
                    code: string | number
                    message?: string | null
                  }
              )
            | null
          error_message?: string | null
          provider?: string | null
          model?: string | null
          response_model?: string | null
          operation?: string | null
          stream?: boolean | null
          ttft_ms?: number | null
          usage?:
            | ({
                input_tokens?: number | null
                output_tokens?: number | null
                total_tokens?: number | null
                cache_read_tokens?: number | null
                cache_write_tokens?: number | null
                reasoning_tokens?: number | null
                prompt_tokens?: number | null
                completion_tokens?: number | null
              } & {
                [key: string]: unknown
              })
            | null
          cost?: {
            input_usd?: number | null
            output_usd?: number | null
            total_usd?: number | null
          } | null
          agent?: {
            id?: string | null
            name?: string | null
            role?: string | null
            parent_id?: string | null
          } | null
          user_id?: string | null
          session_id?: string | null
          tags?: {
            [key: string]: string | number | boolean
          } | null
          input?:
            | (
                | string
                | {
                    [key: string]: unknown
                  }
                | unknown[]
                | number
                | boolean
              )
            | null
          output?:
            | (
                | string
                | {
                    [key: string]: unknown
                  }
                | unknown[]
                | number
                | boolean
              )
            | null
          attributes?: {
            [key: string]: unknown
          } | null
        } & {
          [key: string]: unknown
        })[]
      | {
          spans: ({
            trace_id?: string | null
            span_id?: string | null
            parent_span_id?: string | null
            name?: string | null
            kind?: string | null
            start_time?: (string | number | unknown) | null
            end_time?: (string | number | unknown) | null
            status?:
              | (
                  | string
                  | {
                      code: string | number
                      message?: string | null
                    }
                )
              | null
            error_message?: string | null
            provider?: string | null
            model?: string | null
            response_model?: string | null
            operation?: string | null
            stream?: boolean | null
            ttft_ms?: number | null
            usage?:
              | ({
                  input_tokens?: number | null
                  output_tokens?: number | null
                  total_tokens?: number | null
                  cache_read_tokens?: number | null
                  cache_write_tokens?: number | null
                  reasoning_tokens?: number | null
                  prompt_tokens?: number | null
                  completion_tokens?: number | null
                } & {
                  [key: string]: unknown
                })
              | null
            cost?: {
              input_usd?: number | null
              output_usd?: number | null
              total_usd?: number | null
            } | null
            agent?: {
              id?: string | null
              name?: string | null
              role?: string | null
              parent_id?: string | null
            } | null
            user_id?: string | null
            session_id?: string | null
            tags?: {
              [key: string]: string | number | boolean
            } | null
            input?:
              | (
                  | string
                  | {
                      [key: string]: unknown
                    }
                  | unknown[]
                  | number
                  | boolean
                )
              | null
            output?:
              | (
                  | string
                  | {
                      [key: string]: unknown
                    }
                  | unknown[]
                  | number
                  | boolean
                )
              | null
            attributes?: {
              [key: string]: unknown
            } | null
          } & {
            [key: string]: unknown
          })[]
          client?: {
            name?: string
            version?: string
            dropped?: {
              [key: string]: number
            }
          }
        }
    Problem: {
      /** @description stable URI; clients switch on it */
      type: string
      title: string
      status: number
      detail: string
      request_id: string
    }
    CreateProjectBody: {
      name: string
    }
    CreateKeyBody: {
      /**
       * @default [
       *       "ingest"
       *     ]
       */
      scopes: ('ingest' | 'read')[]
    }
    CreateBudgetBody: {
      name: string
      /**
       * @default global
       * @enum {string}
       */
      scope: 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
      /** @description agent id or name; tenant/customer/feature: the tag value; tag: the value of tag_key */
      scope_value?: string | null
      /** @description for scope tag */
      tag_key?: string | null
      limit_usd?: number | null
      limit_tokens?: number | null
      /**
       * @default month
       * @enum {string}
       */
      window: 'hour' | 'day' | 'month' | 'rolling' | 'rolling_1h' | 'rolling_24h'
      /**
       * @description percent of the limit → action; limit_action applies at 100 % unless a threshold there says otherwise
       * @default []
       */
      thresholds: {
        percent: number
        /** @enum {string} */
        action: 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'
        degrade_to_model?: string
        /** @description alias of degrade_to_model */
        degrade_to?: string
        throttle_ms?: number
        /** @description alias of throttle_ms */
        delay_ms?: number
      }[]
      /**
       * @default block
       * @enum {string}
       */
      limit_action: 'block' | 'alert'
      /** @default true */
      enabled: boolean
    }
    PatchBudgetBody: {
      name?: string
      /** @enum {string} */
      scope?: 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
      /** @description agent id or name; tenant/customer/feature: the tag value; tag: the value of tag_key */
      scope_value?: string | null
      /** @description for scope tag */
      tag_key?: string | null
      limit_usd?: number | null
      limit_tokens?: number | null
      /** @enum {string} */
      window?: 'hour' | 'day' | 'month' | 'rolling' | 'rolling_1h' | 'rolling_24h'
      thresholds?: {
        percent: number
        /** @enum {string} */
        action: 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'
        degrade_to_model?: string
        /** @description alias of degrade_to_model */
        degrade_to?: string
        throttle_ms?: number
        /** @description alias of throttle_ms */
        delay_ms?: number
      }[]
      /** @enum {string} */
      limit_action?: 'block' | 'alert'
      enabled?: boolean
    }
    Policy: {
      version?: string
      generated_at?: string
      poll_interval_s?: unknown
      budgets: {
        id: string
        name?: string
        /**
         * @default global
         * @enum {string}
         */
        scope: 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
        scope_value?: string
        tag_key?: string
        limit_usd?: number
        limit_tokens?: number
        /**
         * @default month
         * @enum {string}
         */
        window: 'hour' | 'day' | 'month' | 'rolling' | 'rolling_1h' | 'rolling_24h'
        /** @default 0 */
        spent_usd: number
        /** @default 0 */
        spent_tokens: number
        window_ends_at?: string
        thresholds: {
          percent: number
          /** @enum {string} */
          action: 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'
          degrade_to_model?: string
          throttle_ms?: unknown
        }[]
      }[]
    }
    CircuitTransition: {
      scope: string
      /** @default  */
      scope_id: string
      name?: string
      /** @description triggered | paused | half_open | recovered | retrip | budget_increased | reset */
      event: string
      from: string
      to: string
      reason?: string
      /** @description when the SDK made the transition (RFC 3339 or epoch ms); default now */
      timestamp?: string | number
      /** @default {} */
      snapshot: {
        [key: string]: unknown
      }
      sdk?: {
        [key: string]: unknown
      }
      /** @description which SDK process; default the credential */
      process_id?: string
    }
    CreateAlertBody: {
      name: string
      /** @enum {string} */
      condition:
        | 'cost_per_hour'
        | 'cost_per_day'
        | 'error_rate'
        | 'latency_p95_ms'
        | 'calls_per_minute'
        | 'tokens_per_hour'
        | 'pii_detected_count'
        | 'injection_attempt_count'
      threshold: number
      /** @description look-back window; default per condition (1 h for per-hour rates, 5 min for error rate and latency, 1 min for calls) */
      window_s?: number | null
      agent_id?: string | null
      model?: string | null
      tag?: string | null
      /**
       * @default log
       * @enum {string}
       */
      action_type: 'webhook' | 'slack' | 'email' | 'log'
      /** @description webhook/slack: URL; email: address */
      target?: string | null
      /** @default 300 */
      cooldown_s: number
      /** @default true */
      enabled: boolean
    }
    PatchAlertBody: {
      name?: string
      /** @enum {string} */
      condition?:
        | 'cost_per_hour'
        | 'cost_per_day'
        | 'error_rate'
        | 'latency_p95_ms'
        | 'calls_per_minute'
        | 'tokens_per_hour'
        | 'pii_detected_count'
        | 'injection_attempt_count'
      threshold?: number
      /** @description look-back window; default per condition (1 h for per-hour rates, 5 min for error rate and latency, 1 min for calls) */
      window_s?: number | null
      agent_id?: string | null
      model?: string | null
      tag?: string | null
      /** @enum {string} */
      action_type?: 'webhook' | 'slack' | 'email' | 'log'
      /** @description webhook/slack: URL; email: address */
      target?: string | null
      cooldown_s?: number
      enabled?: boolean
    }
    SdkAlert: {
      scope: string
      scope_id?: string
      reason: string
      message?: string
      threshold?: number
      current?: number
      blocked?: boolean
      timestamp?: string | number
    } & {
      [key: string]: unknown
    }
    Live: {
      /** @enum {string} */
      status: 'ok'
      /** @enum {string} */
      product: 'tollgate'
    }
    Readiness: {
      /** @enum {string} */
      status: 'ready' | 'unavailable'
      checks: {
        /** @enum {string} */
        clickhouse: 'ok' | 'down'
        /** @enum {string} */
        postgres: 'ok' | 'down'
        /** @enum {string} */
        disk: 'ok' | 'full'
      }
      ingest: {
        /** @description spans acknowledged, not yet in ClickHouse */
        backlog_spans: number
        /** @description bytes of the write-ahead log not yet drained */
        log_bytes: number
        /** @description how long inserts have been failing (0: they are not) */
        store_failing_for_s: number
      }
    }
    IngestResponse: {
      accepted: number
      rejected: {
        index: number
        error: string
      }[]
    }
    TraceList: {
      traces: components['schemas']['TraceSummary'][]
      /** @description matching traces (see `total`); -1 when not counted */
      total: number
      total_exact: boolean
      /** @description pass as `cursor` for the next page; null on the last */
      next_cursor: string | null
    }
    TraceSummary: {
      trace_id: string
      /** @description the root span's name (the earliest span while the root has not arrived) */
      name: string
      start_time: string
      end_time: string
      duration_ms: number
      span_count: number
      error_count: number
      /** @enum {string} */
      status: 'ok' | 'error' | 'unset'
      input_tokens: number
      output_tokens: number
      total_cost_usd: number
      models: string[]
      agent_ids: string[]
    }
    TraceSpans: {
      trace_id: string
      spans: components['schemas']['SpanView'][]
      /** @description pass as `cursor` for the next page; null on the last */
      next_cursor: string | null
    }
    SpanView: {
      trace_id: string
      span_id: string
      parent_span_id: string | null
      name: string
      kind: string
      /** @description RFC 3339, UTC, microseconds */
      start_time: string
      end_time: string
      duration_ms: number
      /** @enum {string} */
      status: 'ok' | 'error' | 'unset'
      error_message: string | null
      provider: string | null
      model: string | null
      response_model: string | null
      operation: string | null
      stream: boolean
      ttft_ms: number | null
      usage: {
        input_tokens: number
        output_tokens: number
        total_tokens: number
        cache_read_tokens: number
        cache_write_tokens: number
        reasoning_tokens: number
      }
      cost: {
        input_usd: number
        output_usd: number
        total_usd: number
      } | null
      /** @enum {string} */
      cost_status: 'reported' | 'computed' | 'unknown'
      /** @description genai-prices@<version>, prices-file:<sha256 prefix> or reported */
      price_source: string | null
      agent: {
        id: string
        name: string
        role: string
        parent_id: string | null
      } | null
      user_id: string | null
      session_id: string | null
      tags: {
        [key: string]: string
      }
      input: string | null
      output: string | null
      input_truncated: boolean
      output_truncated: boolean
      attributes: {
        [key: string]: string | number | boolean
      }
      pii_detected: boolean
      pii_types: string[]
      injection_attempt: boolean
      sampled: boolean
      source: string
      ingested_at: string
    }
    TraceGraph: {
      nodes: {
        id: string
        name: string
        kind: string
        agent_id: string | null
        status: string
      }[]
      edges: {
        from: string
        to: string
        /** @enum {string} */
        type: 'child' | 'handoff'
        from_agent?: string
        to_agent?: string
      }[]
      trace_id: string
    }
    Project: {
      id: string
      name: string
      created_at: string
    }
    ProjectList: {
      projects: components['schemas']['Project'][]
    }
    CreatedKey: {
      id: string
      /** @description shown once: only its SHA-256 is stored */
      key: string
      prefix: string
      scopes: ('ingest' | 'read')[]
      created_at: string
    }
    KeyList: {
      keys: {
        id: string
        /** @description the first characters of the key, to tell keys apart */
        prefix: string
        scopes: ('ingest' | 'read')[]
        created_at: string
        /** @description updated at most once a minute */
        last_used_at: string | null
        revoked_at: string | null
      }[]
    }
    Metrics: {
      traces: number
      spans: number
      input_tokens: number
      output_tokens: number
      cost_usd: number
      /** @description error spans / spans; 0 without spans */
      error_rate: number
      latency_ms: {
        p50: number | null
        p95: number | null
        p99: number | null
      }
      /** @description over streamed spans that report a time to first token */
      ttft_ms: {
        p50: number | null
        p95: number | null
      }
    }
    CostResponse: {
      rows: {
        calls: number
        input_tokens: number
        output_tokens: number
        cache_read_tokens: number
        cost_usd: number
        /** @description model calls whose cost is unknown (no price for the model): counted as $0 in cost_usd; agent and tool spans without a model are not counted */
        unknown_cost_calls: number
        /** @description local date (YYYY-MM-DD, in `tz`) the period starts on */
        day?: string
        /** @description RFC 3339 UTC instant the period starts at */
        period_start?: string
        agent_id?: string
        agent_name?: string
        provider?: string
        model?: string
        user_id?: string
        tag_key?: string
        tag_value?: string
      }[]
      total_cost_usd: number
    }
    BudgetList: {
      budgets: components['schemas']['Budget'][]
    }
    Budget: {
      id: string
      name: string
      /** @enum {string} */
      scope: 'global' | 'agent' | 'tenant' | 'customer' | 'feature' | 'tag'
      scope_value: string | null
      tag_key: string | null
      limit_usd: number | null
      limit_tokens: number | null
      /** @enum {string} */
      window: 'hour' | 'day' | 'month' | 'rolling' | 'rolling_1h' | 'rolling_24h'
      thresholds: {
        percent: number
        /** @enum {string} */
        action: 'allow' | 'alert' | 'degrade' | 'throttle' | 'block'
        degrade_to_model?: string
        throttle_ms?: number
      }[]
      /** @enum {string} */
      limit_action: 'block' | 'alert'
      enabled: boolean
      created_at: string
      updated_at: string
    }
    CircuitStatus: {
      breakers: {
        scope: string
        scope_id: string
        process_id: string
        name: string | null
        state: string
        event: string
        reason: string | null
        reported_at: string
        received_at: string
      }[]
      /** @description breakers that some process holds in a state other than CLOSED */
      open: number
    }
    AlertRuleList: {
      rules: components['schemas']['AlertRule'][]
    }
    AlertRule: {
      id: string
      name: string
      /** @enum {string} */
      condition:
        | 'cost_per_hour'
        | 'cost_per_day'
        | 'error_rate'
        | 'latency_p95_ms'
        | 'calls_per_minute'
        | 'tokens_per_hour'
        | 'pii_detected_count'
        | 'injection_attempt_count'
      threshold: number
      window_s: number
      agent_id: string | null
      model: string | null
      tag: string | null
      /** @enum {string} */
      action_type: 'webhook' | 'slack' | 'email' | 'log'
      target: string | null
      cooldown_s: number
      enabled: boolean
      /** @enum {string} */
      state: 'ok' | 'firing'
      last_fired_at: string | null
      created_at: string
      updated_at: string
    }
    AlertHistory: {
      events: components['schemas']['AlertEvent'][]
    }
    AlertEvent: {
      id: number
      /** @enum {string} */
      kind: 'fired' | 'resolved' | 'sdk'
      rule_id: string | null
      value: number | null
      threshold: number | null
      window_s: number | null
      message: string
      details: {
        [key: string]: unknown
      } | null
      /** @enum {string} */
      notification: 'pending' | 'sent' | 'failed' | 'skipped'
      notification_attempts: number
      notification_error: string | null
      created_at: string
    }
    ComplianceScore: {
      trace_id: string
      score: number
      /** @enum {string} */
      framework: 'eu-ai-act-art12'
      checks: {
        id: string
        title: string
        passed: boolean
        /** @description points this check contributes to the score when it passes */
        weight: number
        detail: string
      }[]
    }
    /** @description RFC 7517 key set: every key that has signed reports, current and retired */
    Jwks: {
      keys: {
        [key: string]: unknown
      }[]
    }
    ReportVerification: {
      valid: boolean
      report_id: string | null
      key_id: string | null
      signed_at: string | null
      /** @description why not valid: malformed signature, unknown key, or bad signature (the bytes or the report differ) */
      reason?: string
    }
    MonthlyReport: {
      /** @description YYYY-MM (UTC) */
      month: string
      /** @description RFC 3339, inclusive */
      from: string
      /** @description RFC 3339, exclusive */
      to: string
      total_cost_usd: number
      traces: number
      spans: number
      input_tokens: number
      output_tokens: number
      /** @description input + output */
      tokens: number
      error_rate: number
      /** @description calls without a price, counted as $0 */
      unknown_cost_calls: number
      cost_by_day: {
        day: string
        calls: number
        input_tokens: number
        output_tokens: number
        cost_usd: number
      }[]
      cost_by_model: {
        provider: string
        model: string
        calls: number
        input_tokens: number
        output_tokens: number
        cost_usd: number
      }[]
      cost_by_agent: {
        agent_id: string
        agent_name: string
        calls: number
        input_tokens: number
        output_tokens: number
        cost_usd: number
      }[]
      top_traces: {
        trace_id: string
        name: string
        start_time: string
        spans: number
        cost_usd: number
      }[]
    }
    AuditList: {
      entries: components['schemas']['AuditEntry'][]
      next_after_seq: number | null
    }
    AuditEntry: {
      /** @description position in the chain, 1, 2, 3… with no gaps */
      seq: number
      at: string
      /** @description key id, token subject, api-key, local or system; never a secret */
      actor: string
      /** @description e.g. budget.created, alert_rule.deleted, key.revoked, circuit.transition, report.generated, config.start */
      action: string
      target_type: string
      target_id: string
      trace_id: string | null
      details: {
        [key: string]: unknown
      }
      prev_hash: string
      /** @description SHA-256 of prev_hash and the entry (docs/compliance.md) */
      hash: string
    }
    AuditVerification: {
      intact: boolean
      project: {
        intact: boolean
        entries: number
        head: {
          seq: number
          hash: string
        } | null
        /** @description the first entry that does not follow from the one before it */
        broken: {
          seq: number
          id: number
          /** @enum {string} */
          reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'seq-gap'
        } | null
      }
      instance: {
        intact: boolean
        entries: number
        head: {
          seq: number
          hash: string
        } | null
        /** @description the first entry that does not follow from the one before it */
        broken: {
          seq: number
          id: number
          /** @enum {string} */
          reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'seq-gap'
        } | null
      }
    }
    SimilarSpans: {
      span_id: string
      trace_id: string
      /**
       * @description pending: not embedded yet (the list is empty until it is)
       * @enum {string}
       */
      embedding_status: 'pending' | 'done' | 'failed'
      similar: {
        trace_id: string
        span_id: string
        /** @description cosine distance, 0 = same direction */
        distance: number
        name: string
        model: string
        /** @description first 200 characters of the prompt */
        input_preview: string
      }[]
    }
    ScanResult: {
      /** @description pattern files in force: data/patterns versions and PATTERNS_FILE digest */
      version: string
      pii_detected: boolean
      pii_types: string[]
      pii: {
        type: string
        pattern: string
        start: number
        end: number
      }[]
      injection_attempt: boolean
      injection: {
        /** @description "phrase" or an INJECTION pattern name */
        pattern: string
        match: string
      }[]
      /** @description the text as PII_POLICY=redact would store it */
      redacted: string
    }
    PiiPolicy: {
      /**
       * @description the project's own policy; null = the server default
       * @enum {string|null}
       */
      pii_policy: 'redact' | 'drop' | 'keep' | null
      /**
       * @description PII_POLICY
       * @enum {string}
       */
      default: 'redact' | 'drop' | 'keep'
      /** @enum {string} */
      effective: 'redact' | 'drop' | 'keep'
      zero_data_retention: boolean
    }
    Session: {
      project_id: string
      /** @enum {string} */
      role: 'viewer' | 'admin'
      /** @enum {string} */
      via: 'local' | 'api-key' | 'project-key' | 'jwt'
      instance_admin: boolean
      /** @description no credentials configured: the dashboard needs no login */
      local_mode: boolean
    }
  }
  responses: never
  parameters: never
  requestBodies: never
  headers: never
  pathItems: never
}
export type $defs = Record<string, never>
export type operations = Record<string, never>
