import { MigrationInterface, QueryRunner } from "typeorm";

const DEFAULT_REGION = process.env.DEFAULT_REGION ?? "eu";

export class BackfillOrderRegion1730000000000 implements MigrationInterface {
  name = "BackfillOrderRegion1730000000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" ADD "region" text`);
    await queryRunner.query(`UPDATE "orders" SET "region" = '${DEFAULT_REGION}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "region"`);
  }
}
