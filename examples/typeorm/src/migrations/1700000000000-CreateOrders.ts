import { MigrationInterface, QueryRunner } from "typeorm";

export class CreateOrders1700000000000 implements MigrationInterface {
  name = "CreateOrders1700000000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "orders" ("id" SERIAL NOT NULL, "customer_id" integer NOT NULL, "total_cents" integer NOT NULL, "created_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_orders" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_orders_customer" ON "orders" ("customer_id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_customer"`);
    await queryRunner.query(`DROP TABLE "orders"`);
  }
}
