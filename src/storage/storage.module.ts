import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { FILE_STORAGE } from './file-storage.js';
import { LocalDiskStorage } from './local-disk.storage.js';

/** Chooses the storage driver from configuration; local disk under FILES_DIR for now. */
@Global()
@Module({
  providers: [{ provide: FILE_STORAGE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new LocalDiskStorage(config.filesDir) }],
  exports: [FILE_STORAGE],
})
export class StorageModule {}
