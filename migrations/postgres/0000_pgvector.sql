-- Custom migration: pgvector for span embeddings (DESIGN §5). Extensions cannot be expressed in the drizzle schema.
CREATE EXTENSION IF NOT EXISTS vector;
