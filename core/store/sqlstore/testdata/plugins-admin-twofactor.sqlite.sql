alter table "user" add column "role" text;

alter table "user" add column "banned" integer default 0;

alter table "user" add column "banReason" text;

alter table "user" add column "banExpires" date;

alter table "user" add column "twoFactorEnabled" integer default 0;

alter table "session" add column "impersonatedBy" text;

create table "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null, "userId" text not null references "user" ("id") on delete cascade, "verified" integer, "failedVerificationCount" integer, "lockedUntil" date);

create index "twoFactor_secret_idx" on "twoFactor" ("secret");

create index "twoFactor_userId_idx" on "twoFactor" ("userId");
