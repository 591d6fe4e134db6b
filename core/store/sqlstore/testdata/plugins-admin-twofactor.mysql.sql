alter table `user` add column `role` text;

alter table `user` add column `banned` boolean default false;

alter table `user` add column `banReason` text;

alter table `user` add column `banExpires` timestamp(3);

alter table `user` add column `twoFactorEnabled` boolean default false;

alter table `session` add column `impersonatedBy` text;

create table `twoFactor` (`id` varchar(36) not null primary key, `secret` varchar(255) not null, `backupCodes` text not null, `userId` varchar(36) not null references `user` (`id`) on delete cascade, `verified` boolean, `failedVerificationCount` integer, `lockedUntil` timestamp(3));

create index `twoFactor_secret_idx` on `twoFactor` (`secret`);

create index `twoFactor_userId_idx` on `twoFactor` (`userId`);
