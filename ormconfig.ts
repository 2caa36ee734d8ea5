import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

/** The DataSource for TypeORM's migration CLI, on the same DATABASE_URL as the service. */
export default new DataSource(dataSourceOptions(loadAppConfig().database));
