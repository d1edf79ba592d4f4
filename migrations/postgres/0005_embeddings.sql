CREATE TABLE "span_embeddings" (
	"project_id" text NOT NULL,
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	"input_preview" text NOT NULL,
	"prompt_sha256" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"text" text,
	"embedder" text,
	"embedding" vector(384),
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"embedded_at" timestamp with time zone,
	CONSTRAINT "span_embeddings_project_id_trace_id_span_id_pk" PRIMARY KEY("project_id","trace_id","span_id")
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "pii_policy" text;--> statement-breakpoint
CREATE INDEX "span_embeddings_hnsw_idx" ON "span_embeddings" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "span_embeddings_pending_idx" ON "span_embeddings" USING btree ("next_attempt_at") WHERE "span_embeddings"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "span_embeddings_sha_idx" ON "span_embeddings" USING btree ("project_id","prompt_sha256");--> statement-breakpoint
CREATE INDEX "span_embeddings_start_idx" ON "span_embeddings" USING btree ("start_time");