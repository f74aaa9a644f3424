/** A small real stack: one resource, a local module, a var file per environment, outputs. */
export const networkStackFiles: Record<string, string> = {
  "infra/network/main.tf": `variable "region" {}
variable "name" {
  default = "core"
}
module "tags" {
  source = "../modules/tags"
}
resource "null_resource" "vpc" {
  triggers = {
    region = var.region
    name   = var.name
  }
}
output "vpc_id" {
  value = null_resource.vpc.id
}
output "vpc_name" {
  value     = var.name
  sensitive = true
}
`,
  "infra/network/env/dev.tfvars": `name = "dev-core"\n`,
  "infra/network/env/prod.tfvars": `name = "prod-core"\n`,
  "infra/modules/tags/main.tf": `output "tags" {\n  value = "bosun"\n}\n`,
  "infra/app/main.tf": `resource "null_resource" "app" {}\n`,
  "README.md": "# infra\n",
};
