-- An experiment, not a migration: the foreign keys a bet's and a launch's inserts check, dropped
-- so that `python -m bench.run --setup-sql` can measure what checking them costs PostgreSQL
-- (bench/README.md, "Fourth look"). Each check locks the parent row FOR KEY SHARE, and one
-- operator's row is the parent of every round, nonce and session of that operator.
ALTER TABLE rounds DROP CONSTRAINT rounds_operator_id_fkey;
ALTER TABLE rounds DROP CONSTRAINT rounds_seed_pair_id_fkey;
ALTER TABLE rounds DROP CONSTRAINT rounds_session_id_fkey;
ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_round_id_fkey;
ALTER TABLE wallet_attempts DROP CONSTRAINT wallet_attempts_transaction_id_fkey;
ALTER TABLE nonces DROP CONSTRAINT nonces_operator_id_fkey;
ALTER TABLE player_sessions DROP CONSTRAINT player_sessions_operator_id_fkey;
