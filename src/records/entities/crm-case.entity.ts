import { Entity } from 'typeorm';
import { EntityRecord } from './entity-record.js';

/** A CRM case ("case" is a reserved word in TypeScript, hence the prefix). */
@Entity({ name: 'cases' })
export class CrmCase extends EntityRecord {}
