import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { FILE_STORAGE, type FileStorage } from './file-storage.js';
import { LocalDiskStorage } from './local-disk.storage.js';
import { S3Storage } from './s3.storage.js';

/** Chooses the storage driver from configuration: local disk under FILES_DIR, or an S3-compatible bucket. */
@Global()
@Module({
  providers: [
    {
      provide: FILE_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): FileStorage =>
        config.storage.driver === 's3' ? new S3Storage(config.storage, config.maxUploadBytes) : new LocalDiskStorage(config.filesDir),
    },
  ],
  exports: [FILE_STORAGE],
})
export class StorageModule {}
