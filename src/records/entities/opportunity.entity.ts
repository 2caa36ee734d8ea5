import { Entity } from 'typeorm';
import { EntityRecord } from './entity-record.js';

@Entity({ name: 'opportunities' })
export class Opportunity extends EntityRecord {}
