import { MigrationInterface, QueryRunner } from "typeorm";

export class AddOrderStatus1710000000000 implements MigrationInterface {
  name = "AddOrderStatus1710000000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" ADD "status" character varying(20) NOT NULL DEFAULT 'new'`);
    await queryRunner.query(
      `UPDATE "orders" SET "status" = $1 WHERE "total_cents" = 0`,
      ["void"],
    );
    await queryRunner.query('ALTER TABLE "orders" ALTER COLUMN "total_cents" TYPE bigint');
    await queryRunner.query(`CREATE INDEX "IDX_orders_status" ON "orders" ("status")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_status"`);
    await queryRunner.query(`ALTER TABLE "orders" ALTER COLUMN "total_cents" TYPE integer`);
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "status"`);
  }
}
