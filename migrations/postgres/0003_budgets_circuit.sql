CREATE TABLE "budgets" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"scope" text NOT NULL,
	"scope_value" text,
	"tag_key" text,
	"limit_usd" double precision,
	"limit_tokens" double precision,
	"window" text NOT NULL,
	"thresholds" jsonb NOT NULL,
	"limit_action" text DEFAULT 'block' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "circuit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"process_id" text NOT NULL,
	"name" text,
	"event" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"reason" text,
	"snapshot" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sdk" jsonb,
	"reported_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "circuit_state" (
	"project_id" text NOT NULL,
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"process_id" text NOT NULL,
	"name" text,
	"state" text NOT NULL,
	"event" text NOT NULL,
	"reason" text,
	"reported_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "circuit_state_project_id_scope_scope_id_process_id_pk" PRIMARY KEY("project_id","scope","scope_id","process_id")
);
--> statement-breakpoint
CREATE INDEX "budgets_project_idx" ON "budgets" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "circuit_events_project_idx" ON "circuit_events" USING btree ("project_id","id");