"""Repository-only tooling. The offline Terraform check that lived here ships with gen now, as
`generator.tfcheck` (the `terraform` extra; `gen validate --terraform`)."""
