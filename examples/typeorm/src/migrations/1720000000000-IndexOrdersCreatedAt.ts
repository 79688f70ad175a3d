import { MigrationInterface, QueryRunner } from "typeorm";

// CREATE INDEX CONCURRENTLY cannot run in a transaction: this migration opts out of TypeORM's
// (run with `migrationsTransactionMode: "each"`).
export class IndexOrdersCreatedAt1720000000000 implements MigrationInterface {
  name = "IndexOrdersCreatedAt1720000000000";
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET lock_timeout = '5s'`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "IDX_orders_created_at" ON "orders" ("created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "IDX_orders_created_at"`);
  }
}
