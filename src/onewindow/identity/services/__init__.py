"""Identity writes. Other apps import from here: ``from onewindow.identity.services import
person_register``."""

from onewindow.identity.services.accounts import (
    UsernameTaken,
    machine_user_create,
    resident_account_ensure,
)
from onewindow.identity.services.companies import (
    Establishment,
    company_agent_add,
    company_agent_remove,
    company_establish,
    company_register,
)
from onewindow.identity.services.company_agents import (
    company_agent_accept,
    company_agent_decline,
    company_agent_grant,
    company_agent_revoke,
)
from onewindow.identity.services.locks import company_lock, person_lock
from onewindow.identity.services.login import (
    sms_login_code_request,
    sms_login_verify,
    staff_login_check,
    staff_login_record,
)
from onewindow.identity.services.org import (
    department_create,
    grid_scope_set,
    role_create,
    staff_create,
    staff_role_assign,
    staff_role_revoke,
    staff_totp_enrol,
)
from onewindow.identity.services.persons import (
    RevealedPerson,
    person_assurance_in_person,
    person_id_card_validity_set,
    person_realname_verify,
    person_register,
    person_reveal,
    person_update,
    person_view_record,
)
from onewindow.identity.services.seeding import (
    CompanySeed,
    DepartmentSeed,
    OrgSeeded,
    PersonSeed,
    PersonsSeeded,
    RoleSeed,
    StaffSeed,
    companies_bulk_seed,
    org_structure_seed,
    persons_bulk_seed,
)
from onewindow.identity.services.tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "CompanySeed",
    "DepartmentSeed",
    "Establishment",
    "OrgSeeded",
    "PersonSeed",
    "PersonsSeeded",
    "RevealedPerson",
    "RoleSeed",
    "StaffSeed",
    "UsernameTaken",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "companies_bulk_seed",
    "company_agent_accept",
    "company_agent_add",
    "company_agent_decline",
    "company_agent_grant",
    "company_agent_remove",
    "company_agent_revoke",
    "company_establish",
    "company_lock",
    "company_register",
    "department_create",
    "grid_scope_set",
    "machine_user_create",
    "org_structure_seed",
    "person_assurance_in_person",
    "person_id_card_validity_set",
    "person_lock",
    "person_realname_verify",
    "person_register",
    "person_reveal",
    "person_update",
    "person_view_record",
    "persons_bulk_seed",
    "resident_account_ensure",
    "role_create",
    "sms_login_code_request",
    "sms_login_verify",
    "staff_create",
    "staff_login_check",
    "staff_login_record",
    "staff_role_assign",
    "staff_role_revoke",
    "staff_totp_enrol",
]
