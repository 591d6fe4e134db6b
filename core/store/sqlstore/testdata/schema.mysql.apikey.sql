create table `user` (`id` varchar(36) not null primary key, `name` varchar(255) not null, `email` varchar(255) not null unique, `emailVerified` boolean not null, `image` text, `createdAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null, `updatedAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null, `role` text, `banned` boolean, `banReason` text, `banExpires` timestamp(3));

create table `session` (`id` varchar(36) not null primary key, `expiresAt` timestamp(3) not null, `token` varchar(255) not null unique, `createdAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null, `updatedAt` timestamp(3) not null, `ipAddress` text, `userAgent` text, `userId` varchar(36) not null references `user` (`id`) on delete cascade, `impersonatedBy` text);

create table `account` (`id` varchar(36) not null primary key, `accountId` text not null, `providerId` text not null, `userId` varchar(36) not null references `user` (`id`) on delete cascade, `accessToken` text, `refreshToken` text, `idToken` text, `accessTokenExpiresAt` timestamp(3), `refreshTokenExpiresAt` timestamp(3), `scope` text, `password` text, `createdAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null, `updatedAt` timestamp(3) not null);

create table `verification` (`id` varchar(36) not null primary key, `identifier` varchar(255) not null, `value` text not null, `expiresAt` timestamp(3) not null, `createdAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null, `updatedAt` timestamp(3) default CURRENT_TIMESTAMP(3) not null);

create table `apikey` (`id` varchar(36) not null primary key, `configId` varchar(255) not null, `name` text, `start` text, `referenceId` varchar(255) not null, `prefix` text, `key` varchar(255) not null, `refillInterval` integer, `refillAmount` integer, `lastRefillAt` timestamp(3), `enabled` boolean, `rateLimitEnabled` boolean, `rateLimitTimeWindow` integer, `rateLimitMax` integer, `requestCount` integer, `remaining` integer, `lastRequest` timestamp(3), `expiresAt` timestamp(3), `createdAt` timestamp(3) not null, `updatedAt` timestamp(3) not null, `permissions` text, `metadata` text);

create index `session_userId_idx` on `session` (`userId`);

create index `account_userId_idx` on `account` (`userId`);

create index `verification_identifier_idx` on `verification` (`identifier`);

create index `apikey_configId_idx` on `apikey` (`configId`);

create index `apikey_referenceId_idx` on `apikey` (`referenceId`);

create index `apikey_key_idx` on `apikey` (`key`);
