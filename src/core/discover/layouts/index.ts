// Every supported layout, most specific first (ties in auto-detection go to the earlier one).
import type { LayoutSpec } from "../layout.js";
import { atlasLayout } from "./atlas.js";
import { dbmateLayout } from "./dbmate.js";
import { drizzleLayout } from "./drizzle.js";
import { flywayLayout } from "./flyway.js";
import { golangMigrateLayout } from "./golang-migrate.js";
import { gooseLayout } from "./goose.js";
import { liquibaseLayout } from "./liquibase.js";
import { plainLayout } from "./plain.js";
import { morphLayout } from "./morph.js";
import { nodePgMigrateLayout } from "./node-pg-migrate.js";
import { popxLayout } from "./popx.js";
import { prismaLayout } from "./prisma.js";
import { sqitchLayout } from "./sqitch.js";
import { sqlxLayout } from "./sqlx.js";
import { supabaseLayout } from "./supabase.js";
import { typeormLayout } from "./typeorm.js";
import { upDownDirLayout } from "./up-down-dir.js";

export const LAYOUTS: LayoutSpec[] = [
  sqitchLayout,
  liquibaseLayout,
  atlasLayout,
  drizzleLayout,
  sqlxLayout,
  morphLayout,
  prismaLayout,
  supabaseLayout,
  typeormLayout,
  upDownDirLayout,
  flywayLayout,
  popxLayout,
  golangMigrateLayout,
  gooseLayout,
  nodePgMigrateLayout,
  dbmateLayout,
  plainLayout,
];
