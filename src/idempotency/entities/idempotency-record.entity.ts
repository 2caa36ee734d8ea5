import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One Idempotency-Key of one API key: a marker while its first request runs, then that request's
 * answer, replayed to retries until it expires. The key itself is kept only as its SHA-256.
 */
@Entity({ name: 'idempotency_keys' })
@Index('UQ_idempotency_keys_api_key_key', ['apiKeyId', 'keyHash'], { unique: true })
@Index('IDX_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'api_key_id', type: 'integer' })
  apiKeyId: number;

  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  /** The SHA-256 of what makes two requests the same; null while an upload's body is still arriving. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash: string | null;

  /** Null while the first request runs. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** While running: when the marker counts as abandoned (its process died). Once answered: when the record expires. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
